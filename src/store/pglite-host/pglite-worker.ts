/**
 * The embedded store's thread: PGlite lives here, never on the thread that serves HTTP and SIP
 * (every PGlite query runs synchronously on the thread that owns it). The main thread's `pg`
 * clients speak the PostgreSQL wire protocol to it over this worker's port (host-messages.ts);
 * this file feeds their whole frontend messages to PGlite and posts the backend bytes back.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';
import { FrontendFrames } from './frontend-frames.ts';
import type { FromWorker, ToWorker, WorkerOptions } from './host-messages.ts';
import { SessionScheduler } from './session-scheduler.ts';

const port = parentPort;
if (!port) throw new Error('pglite-worker.ts runs as a worker thread');
const options = workerData as WorkerOptions;

const pglite = await PGlite.create({
  ...(options.dataDir ? { dataDir: options.dataDir } : {}),
  ...(options.image ? { loadDataDir: options.image } : {}),
  startParams: [...PGlite.defaultStartParams, ...options.settings.flatMap((setting) => ['-c', setting])],
});

const post = (message: FromWorker, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);
const frames = new Map<number, FrontendFrames>();
const scheduler = new SessionScheduler(
  // Held while inside a transaction block, and between an extended query's messages and its Sync.
  ({ lastType }) => pglite.isInTransaction() || !SESSION_RETURNING_TYPES.has(lastType),
);
/** Frontend message types after which the backend is back at ReadyForQuery (or the client gone). */
const SESSION_RETURNING_TYPES = new Set(['S', 'Q', 'X', 'startup', 'ssl-request', 'cancel-request']);

/** Runs `bytes` (whole messages) on PGlite; a throw here means PGlite itself broke, not a query. */
async function execute(bytes: Uint8Array): Promise<Uint8Array> {
  try {
    return await pglite.execProtocolRaw(bytes);
  } catch (error) {
    // PGlite aborted (a WebAssembly trap, out of memory): its session is unusable. Ending the
    // thread fails every waiting and future query on the main thread instead of hanging them.
    post({ op: 'failed', message: error instanceof Error ? error.message : String(error) });
    process.exit(1);
  }
}

/** Ends one connection: a transaction it left open is rolled back so the next holder starts clean. */
async function endConnection(connection: number): Promise<void> {
  if (!frames.delete(connection)) return;
  if (scheduler.holder === connection && pglite.isInTransaction()) await execute(ROLLBACK);
  scheduler.release(connection);
}

function onData(connection: number, chunk: Uint8Array): void {
  let connectionFrames = frames.get(connection);
  if (!connectionFrames) {
    connectionFrames = new FrontendFrames();
    frames.set(connection, connectionFrames);
  }
  const messages = connectionFrames.push(chunk);
  const last = messages.at(-1)?.type ?? 'none';
  scheduler.enqueue(connection, last, async () => {
    const replies: Uint8Array[] = [];
    let batch: Uint8Array[] = [];
    const flush = async () => {
      if (batch.length > 0) replies.push(await execute(Buffer.concat(batch)));
      batch = [];
    };
    for (const message of messages) {
      if (message.type === 'ssl-request' || message.type === 'gssenc-request') {
        replies.push(NO_ENCRYPTION); // an in-process port: there is nothing to encrypt
      } else if (message.type === 'cancel-request') {
        // PGlite has no second backend to signal; a cancel is dropped (the protocol expects no reply).
      } else if (message.type === 'X') {
        await flush();
        await endConnection(connection);
      } else if (message.type === 'startup') {
        await flush();
        replies.push(await execute(message.bytes));
      } else {
        batch.push(message.bytes);
      }
    }
    await flush();
    const reply = joinBytes(replies);
    // Every data message gets exactly one answer, even an empty one: the main thread counts them.
    post({ op: 'data', connection, bytes: reply }, [reply.buffer as ArrayBuffer]);
  });
}

port.on('message', (message: ToWorker) => {
  if (message.op === 'data') onData(message.connection, message.bytes);
  else if (message.op === 'end') scheduler.enqueue(message.connection, 'X', () => endConnection(message.connection));
  else if (message.op === 'close') void close();
});

async function close(): Promise<void> {
  // Closing flushes PGlite's data dir; the main thread has ended every connection first.
  if (!pglite.closed) await pglite.close();
  post({ op: 'closed' });
  port?.close();
}

/** A fresh buffer holding `parts` in order, whose ArrayBuffer can be transferred (never a pooled one). */
function joinBytes(parts: Uint8Array[]): Uint8Array {
  const joined = new Uint8Array(parts.reduce((total, part) => total + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    joined.set(part, offset);
    offset += part.length;
  }
  return joined;
}

const NO_ENCRYPTION = new Uint8Array([78]); // 'N'
/** A simple-protocol Query message: `rollback`. */
const ROLLBACK = (() => {
  const text = Buffer.from('rollback\0');
  const message = Buffer.alloc(5 + text.length);
  message.write('Q', 0);
  message.writeInt32BE(4 + text.length, 1);
  text.copy(message, 5);
  return message;
})();

post({ op: 'ready' });
