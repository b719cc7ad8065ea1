import type { Worker } from 'node:worker_threads';
import {
  fromWorkerError,
  type WorkerError,
  type WorkerInit,
  type WorkerReply,
  type WorkerRequest,
} from './pglite-worker-protocol.ts';
import { startScriptWorker } from './script-worker.ts';

/** A request without its id (the client numbers them). */
type Request = WorkerRequest extends infer R ? (R extends WorkerRequest ? Omit<R, 'id'> : never) : never;

/**
 * The store thread's entry (src/wiring/store-thread.ts: it knows the operations, which live in
 * outer layers): dist/store-thread.js beside main.js in the bundle that `npm start` runs
 * (bin/build.js), the TypeScript source when the sources run under tsx (tests, benches).
 */
const WORKER_URL = import.meta.url.endsWith('.ts')
  ? new URL('../wiring/store-thread.ts', import.meta.url)
  : new URL('./store-thread.js', import.meta.url);

/**
 * The node's end of the PGlite worker: numbers requests and settles each with its reply. The
 * worker keeps the process alive only while a request is pending, so a store nobody closed does
 * not hold the process open (as an in-thread PGlite would not), and a pending query always ends.
 */
export class PgliteWorkerClient {
  readonly #worker: Worker;
  readonly #pending = new Map<
    number,
    { resolve: (result: unknown) => void; reject: (error: Error) => void }
  >();
  #nextId = 1;
  #exited: Error | undefined;

  private constructor(
    worker: Worker,
    private readonly onCrash: ((error: Error) => void) | undefined,
  ) {
    this.#worker = worker;
    worker.on('message', (reply: WorkerReply) => this.#settle(reply));
    worker.on('error', (error) => this.#fail(error));
    worker.on('exit', (code) =>
      this.#fail(new Error(`pglite-worker: the store's thread ended (exit code ${code})`)),
    );
  }

  /**
   * Starts the worker and waits until its database is open. `onCrash` is told if the thread ends
   * other than by `close` (every request fails from then on). `script` is the thread's entry
   * (tests give one of their own).
   */
  static async start(
    init: WorkerInit,
    onCrash?: (error: Error) => void,
    script: URL = WORKER_URL,
  ): Promise<PgliteWorkerClient> {
    const worker = startScriptWorker(script, init);
    await new Promise<void>((resolve, reject) => {
      const onExit = (code: number) =>
        reject(new Error(`pglite-worker: the store's thread ended before it was ready (exit code ${code})`));
      const onMessage = (message: { ready?: boolean; error?: WorkerError }) => {
        if (message.ready === undefined) return;
        worker.off('message', onMessage);
        worker.off('error', reject);
        worker.off('exit', onExit);
        if (message.ready) resolve();
        else {
          void worker.terminate();
          reject(fromWorkerError(message.error as WorkerError));
        }
      };
      worker.on('message', onMessage);
      worker.once('error', reject);
      worker.once('exit', onExit);
    });
    worker.unref();
    return new PgliteWorkerClient(worker, onCrash);
  }

  /** Sends `request`; resolves with its rows or result (if any), or rejects with its error. */
  request(request: Request): Promise<unknown> {
    if (this.#exited) return Promise.reject(this.#exited);
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      if (this.#pending.size === 0) this.#worker.ref();
      this.#pending.set(id, { resolve, reject });
      this.#worker.postMessage({ ...request, id });
    });
  }

  /** Closes the database (after what is in flight) and ends the thread. */
  async close(): Promise<void> {
    if (this.#exited) return;
    try {
      await this.request({ kind: 'close' });
    } finally {
      this.#exited = new Error('pglite-worker: the store is closed');
      await this.#worker.terminate();
    }
  }

  #settle(reply: WorkerReply): void {
    const pending = this.#pending.get(reply.id);
    if (!pending) return;
    this.#pending.delete(reply.id);
    if (this.#pending.size === 0) this.#worker.unref();
    if (reply.ok) pending.resolve(reply.result);
    else pending.reject(fromWorkerError(reply.error));
  }

  #fail(error: Error): void {
    if (!this.#exited) this.onCrash?.(error);
    this.#exited ??= error;
    for (const pending of this.#pending.values()) pending.reject(error);
    this.#pending.clear();
  }
}
