/**
 * The baseline server of accept_ratio, in its own process like pconn's: a bare Fastify route
 * answering 202 with a call-sized JSON body. Sends its URL to the parent over IPC.
 */
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';

const body = JSON.stringify({ id: 'call_x', status: 'queued', padding: 'x'.repeat(600) });
const app = Fastify();
app.post('/v1/campaigns/:id/calls', async (_request, reply) =>
  reply.code(202).type('application/json').send(body),
);
await app.listen({ host: '127.0.0.1', port: 0 });
process.send?.({ type: 'ready', url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}` });
process.on('disconnect', () => void app.close().then(() => process.exit(0)));
