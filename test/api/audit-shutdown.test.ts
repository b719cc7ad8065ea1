import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { test } from 'node:test';
import { startTestServer, type TestServer } from '../support/test-server.ts';

const PATH = '/v1/campaigns/missing/calls';

test('a request whose client hung up mid-handling is audited before shutdown completes, never after', async () => {
  // A round is conclusive when some handler was still running as the clients hung up; on a
  // loaded machine a round may see none get that far, so up to five rounds are run.
  for (let round = 1; round <= 5; round++) {
    const server = await startTestServer();
    try {
      const { atClose, later } = await hangUpMidRequestThenClose(server);
      // An entry written after close() returned would have met a closed store (the process exits).
      assert.equal(later, atClose, `round ${round}: ${later - atClose} audit entries arrived after shutdown`);
      if (atClose > 0) return;
    } finally {
      await server.close();
    }
  }
  assert.fail('no round had a request in its handler when the clients hung up');
});

async function hangUpMidRequestThenClose(server: TestServer): Promise<{ atClose: number; later: number }> {
  const token = await server.adminToken();
  const { port } = new URL(server.url);
  const audited = async () =>
    Number(
      (
        await server.store.db
          .selectFrom('audit_events')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('path', '=', PATH)
          .executeTakeFirstOrThrow()
      ).n,
    );
  const body = JSON.stringify({ contactId: 'ct_none' });
  const request = `POST ${PATH} HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${token}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
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
  // The store answers one statement at a time, so most handlers are still running when every
  // client hangs up and the server is told to stop.
  await new Promise((resolve) => setTimeout(resolve, 10));
  for (const socket of sockets) socket.destroy();
  await server.pconn.close();
  const atClose = await audited();
  await new Promise((resolve) => setTimeout(resolve, 300));
  return { atClose, later: await audited() };
}
