/**
 * The route the accept measures' reference servers (bench/servers/store-floor.ts,
 * record-floor.ts) answer: `POST /v1/campaigns/{id}/calls` with 202 and the body `accept`
 * resolves with, on 127.0.0.1; reports `{type: 'ready', url}` over IPC and, when the bench
 * disconnects, closes the route, then `close` (the server's store), then exits.
 */
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';

export async function serveReferenceRoute(
  accept: () => Promise<string>,
  close: () => Promise<unknown>,
): Promise<void> {
  const app = Fastify();
  app.post('/v1/campaigns/:id/calls', async (_request, reply) =>
    reply
      .code(202)
      .type('application/json')
      .send(await accept()),
  );
  await app.listen({ host: '127.0.0.1', port: 0 });
  process.send?.({ type: 'ready', url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}` });
  process.on(
    'disconnect',
    () =>
      void app
        .close()
        .then(close)
        .then(() => process.exit(0)),
  );
}
