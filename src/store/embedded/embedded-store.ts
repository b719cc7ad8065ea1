import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { createSocketDir } from './socket-dir.ts';
import type { StoreServerOptions } from './store-server.ts';
import type { StoreWorkerReply, StoreWorkerRequest } from './store-worker.ts';

/** Where pg reaches the embedded store: `host` is the socket's directory. */
export interface EmbeddedStore {
  host: string;
  port: number;
  /** The data dir as a gzip tarball. */
  dump(): Promise<Uint8Array>;
  /** Closes PGlite (after its connections) and ends the thread. */
  stop(): Promise<void>;
}

/** The socket name's number (`.s.PGSQL.5432`); the directory, private to this start, is what is unique. */
const SOCKET_PORT = 5432;

/**
 * Starts PGlite on its own thread, serving the wire protocol on a Unix socket in a fresh private
 * directory (socket-dir.ts; mode 0700, so only this user — who can read the data dir anyway —
 * can connect; PGlite checks no password). A worker thread rather than a child process: measured
 * (docs/performance.md) as fast, it frees the main thread the same, costs less memory, and dies
 * with the process, so a SIGKILLed node leaves no orphan holding the data dir.
 * `onFailure` hears of the thread ending on its own (PGlite aborted): the store is gone.
 */
export async function startEmbeddedStore(
  options: { dataDir?: string; image?: Uint8Array },
  onFailure: (error: Error) => void = () => {},
): Promise<EmbeddedStore> {
  // Creating a data dir (initdb) leaves PGlite's WebAssembly memory ~500 MB larger than opening
  // one does, and it is never returned: measured 850–900 MB RSS against ~270 MB, and a thread
  // that ends still left ~200 MB of it with the process. So a fresh data dir is created by a
  // short-lived child process, and the store's thread then opens it.
  if (options.dataDir && !existsSync(join(options.dataDir, 'PG_VERSION'))) {
    await mkdir(options.dataDir, { recursive: true });
    await createDataDir(options.dataDir);
  }
  return startStoreThread(options, onFailure);
}

async function startStoreThread(
  options: { dataDir?: string; image?: Uint8Array },
  onFailure: (error: Error) => void,
): Promise<EmbeddedStore> {
  const socketDir = await createSocketDir();
  const workerData: StoreServerOptions = { ...options, socketDir, port: SOCKET_PORT };
  const worker = new Worker(workerEntry(), {
    eval: true,
    workerData,
    ...(options.image ? { transferList: [options.image.buffer as ArrayBuffer] } : {}),
  });
  let stopping = false;
  let exited = false;
  let crash: Error | undefined;
  const replies = new Set<(reply: StoreWorkerReply) => void>();
  worker.on('message', (reply: StoreWorkerReply) => {
    for (const listener of replies) listener(reply);
  });
  const next = <T extends StoreWorkerReply['type']>(...types: T[]) =>
    new Promise<Extract<StoreWorkerReply, { type: T }>>((resolve, reject) => {
      if (exited) return reject(crash ?? new Error("the embedded store's thread has ended"));
      const listener = (reply: StoreWorkerReply) => {
        if (!(types as string[]).includes(reply.type)) return;
        done();
        resolve(reply as Extract<StoreWorkerReply, { type: T }>);
      };
      const onExit = (code: number) => {
        done();
        reject(crash ?? new Error(`the embedded store's thread ended (exit code ${code})`));
      };
      const done = () => {
        replies.delete(listener);
        worker.off('exit', onExit);
      };
      replies.add(listener);
      worker.once('exit', onExit);
    });
  // An uncaught error in the thread ends it; 'exit' follows and says so to whoever waits.
  worker.on('error', (error) => {
    crash = error;
  });
  worker.on('exit', (code) => {
    exited = true;
    if (!stopping) onFailure(crash ?? new Error(`the embedded store's thread ended (exit code ${code})`));
  });
  const send = (request: StoreWorkerRequest) => worker.postMessage(request);
  const started = await next('ready', 'failed').catch(
    (error: Error) => ({ type: 'failed', message: error.message }) as const,
  );
  if (started.type === 'failed') {
    stopping = true;
    await worker.terminate();
    await rm(socketDir, { recursive: true, force: true });
    throw new Error(`the embedded store did not start: ${started.message}`);
  }
  let stopped: Promise<void> | undefined;
  return {
    host: socketDir,
    port: SOCKET_PORT,
    async dump() {
      const reply = next('dumped');
      send({ type: 'dump' });
      return (await reply).image;
    },
    stop() {
      stopped ??= (async () => {
        stopping = true;
        const closed = next('closed').catch(() => undefined);
        send({ type: 'close' });
        await closed;
        await worker.terminate();
        await rm(socketDir, { recursive: true, force: true });
      })();
      return stopped;
    },
  };
}

/**
 * The thread's bootstrap. Node 20 does not apply `--import tsx` to a worker's entry module, so
 * when pconn runs from its TypeScript sources (as `npm start` does) the thread registers tsx's
 * loader before importing store-worker.ts.
 */
function workerEntry(): string {
  const entry = new URL('./store-worker.ts', import.meta.url).href;
  const tsx = import.meta.resolve('tsx/esm/api');
  return `import(${JSON.stringify(tsx)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); });`;
}

/** Runs create-data-dir.ts in a child process (with this process's loader flags, e.g. tsx's). */
function createDataDir(dataDir: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(new URL('./create-data-dir.ts', import.meta.url)), [dataDir], {
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0
        ? resolve()
        : reject(
            new Error(`creating the data dir ${dataDir} failed (exit ${code}): ${stderr.trim().slice(-500)}`),
          ),
    );
  });
}
