/**
 * The embedded store's thread: PGlite lives here, never on the thread that serves HTTP and SIP
 * (every PGlite query runs synchronously on the thread that owns it). The main thread's `pg`
 * clients speak the PostgreSQL wire protocol to it over this worker's port (pglite-host.ts);
 * pglite-sessions.ts runs their messages on PGlite.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';
import type { FromWorker, ToWorker, WorkerOptions } from './host-messages.ts';
import { PgliteSessions } from './pglite-sessions.ts';

const port = parentPort;
if (!port) throw new Error('pglite-worker.ts runs as a worker thread');
const options = workerData as WorkerOptions;
const post = (message: FromWorker, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);

const pglite = await PGlite.create({
  ...(options.dataDir ? { dataDir: options.dataDir } : {}),
  ...(options.image ? { loadDataDir: options.image } : {}),
  startParams: [...PGlite.defaultStartParams, ...options.settings.flatMap((setting) => ['-c', setting])],
});

const sessions = new PgliteSessions(pglite, (error) => {
  // PGlite aborted (a WebAssembly trap, out of memory): its session is unusable. Ending the
  // thread fails every waiting and future query on the main thread instead of hanging them.
  post({ op: 'failed', message: error instanceof Error ? error.message : String(error) });
  process.exit(1);
});

port.on('message', async (message: ToWorker) => {
  if (message.op === 'data') {
    const reply = await sessions.receive(message.connection, message.bytes);
    // Every data message gets exactly one answer, even an empty one: the main thread counts them.
    post({ op: 'data', connection: message.connection, bytes: reply }, [reply.buffer as ArrayBuffer]);
  } else if (message.op === 'end') {
    await sessions.end(message.connection);
  } else if (message.op === 'close') {
    // Closing flushes PGlite's data dir; the main thread has ended every connection first.
    if (!pglite.closed) await pglite.close();
    post({ op: 'closed' });
    port.close();
  }
});

post({ op: 'ready' });
