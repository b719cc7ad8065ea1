/**
 * The alternative the embedded store's worker thread was measured against (bench/store-host.ts):
 * PGlite in its own process behind a unix socket, served by the same PgliteSessions as the
 * worker. Prints `ready` once it listens on the socket path given as argument.
 */
import { createServer } from 'node:net';
import { PGlite } from '@electric-sql/pglite';
import { PgliteSessions } from '../../src/store/pglite-host/pglite-sessions.ts';

const pglite = await PGlite.create({
  startParams: [...PGlite.defaultStartParams, '-c', 'shared_buffers=8MB'],
});
const sessions = new PgliteSessions(pglite, (error) => {
  process.stderr.write(`PGlite broke: ${String(error)}\n`);
  process.exit(1);
});
let next = 1;
const server = createServer((socket) => {
  const connection = next++;
  // A connection's chunks are answered in the order they came (the sessions run them FIFO).
  socket.on('data', async (chunk) => {
    const reply = await sessions.receive(connection, chunk);
    if (reply.length > 0 && !socket.destroyed) socket.write(reply);
  });
  socket.on('close', () => void sessions.end(connection));
});
server.listen(process.argv[2], () => process.stdout.write('ready\n'));
