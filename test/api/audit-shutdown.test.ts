import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { test } from 'node:test';
import { startTestServer } from '../support/test-server.ts';

test('a request whose client hung up mid-handling is audited before shutdown completes, never after', async () => {
  const server = await startTestServer();
  const token = await server.adminToken();
  const { port } = new URL(server.url);
  const audited = async () =>
    Number(
      (
        await server.store.db
          .selectFrom('audit_events')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('path', '=', '/v1/campaigns/missing/calls')
          .executeTakeFirstOrThrow()
      ).n,
    );
  const body = JSON.stringify({ contactId: 'ct_none' });
  const request = `POST /v1/campaigns/missing/calls HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${token}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
  const sockets = await Promise.all(
    Array.from(
      { length: 40 },
      () =>
        new Promise<Socket>((resolve, reject) => {
          const socket = connect(Number(port), '127.0.0.1', () =>
            socket.write(request, () => resolve(socket)),
          );
          socket.once('error', reject);
        }),
    ),
  );
  // The store answers one request at a time, so most handlers are still running when every
  // client hangs up and the server is told to stop.
  await new Promise((resolve) => setTimeout(resolve, 10));
  for (const socket of sockets) socket.destroy();
  await server.pconn.close();
  const atClose = await audited();
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.ok(atClose > 0, 'some requests were handled');
  // An entry written after close() returned would have met a closed store (the process exits).
  assert.equal(await audited(), atClose, 'no audit entry arrived after shutdown completed');
  await server.close();
});
