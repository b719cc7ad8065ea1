import { Duplex } from 'node:stream';
import { Worker } from 'node:worker_threads';
import type { FromWorker, ToWorker, WorkerOptions } from './host-messages.ts';

/**
 * The main thread's end of the PGlite worker (pglite-worker.ts): starts it, and hands `pg` one
 * stream per client connection that carries the PostgreSQL wire protocol over the worker's port.
 * So the embedded store is queried exactly like a PostgreSQL server (one code path, `pg` and
 * Kysely's PostgresDialect), while PGlite's synchronous work runs on the worker's thread.
 */
export class PgliteHost {
  readonly #worker: Worker;
  readonly #streams = new Map<number, WorkerStream>();
  #nextConnection = 1;
  /** Data messages not answered yet: the worker keeps the process alive only while there are some. */
  #pending = 0;
  #failure: Error | undefined;
  #closed: Promise<void> | undefined;
  #closing = false;

  private constructor(worker: Worker) {
    this.#worker = worker;
    worker.on('message', (message: FromWorker) => this.#onMessage(message));
    worker.on('error', (error) => this.#fail(error));
    worker.on('exit', (code) =>
      this.#fail(new Error(`the embedded store's thread ended (exit code ${code})`)),
    );
  }

  /** Starts the worker and resolves once PGlite is open (or rejects with why it could not open). */
  static async start(options: WorkerOptions): Promise<PgliteHost> {
    const worker = startWorker(options);
    await new Promise<void>((resolve, reject) => {
      const onMessage = (message: FromWorker) => {
        if (message.op === 'ready') done(undefined);
        else if (message.op === 'failed') done(new Error(message.message));
      };
      const onExit = (code: number) =>
        done(new Error(`the embedded store's thread ended at start (exit code ${code})`));
      const done = (error: Error | undefined) => {
        worker.off('message', onMessage).off('error', done).off('exit', onExit);
        if (error) reject(error);
        else resolve();
      };
      worker.on('message', onMessage).on('error', done).on('exit', onExit);
    });
    worker.unref();
    return new PgliteHost(worker);
  }

  /** A new client connection's stream, for `pg`'s `stream` option. */
  stream(): Duplex {
    const connection = this.#nextConnection++;
    const stream = new WorkerStream(this, connection);
    if (this.#failure) stream.destroy(this.#failure);
    else this.#streams.set(connection, stream);
    return stream;
  }

  /** Ends the worker after PGlite has flushed and closed its data dir; every stream must be ended. */
  close(): Promise<void> {
    this.#closed ??= new Promise<void>((resolve) => {
      if (this.#failure) return resolve();
      this.#keepAlive(true);
      this.#worker.once('exit', () => resolve());
      this.#post({ op: 'close' });
    });
    return this.#closed;
  }

  /** @internal Sends a connection's frontend bytes; the buffer is transferred, not copied. */
  send(connection: number, bytes: Uint8Array): void {
    if (this.#failure) throw this.#failure;
    this.#pending++;
    this.#keepAlive(false);
    this.#post({ op: 'data', connection, bytes }, [bytes.buffer as ArrayBuffer]);
  }

  /** @internal A connection's stream is gone: the worker drops it (rolling back what it left open). */
  end(connection: number): void {
    if (this.#streams.delete(connection) && !this.#failure) this.#post({ op: 'end', connection });
  }

  /**
   * The worker keeps the process alive only while someone waits on it: an answer, or the close.
   * Otherwise an idle store would hold open a process that has nothing else left to do.
   */
  #keepAlive(closing: boolean): void {
    this.#closing ||= closing;
    if (this.#pending > 0 || this.#closing) this.#worker.ref();
    else this.#worker.unref();
  }

  #post(message: ToWorker, transfer: ArrayBuffer[] = []): void {
    this.#worker.postMessage(message, transfer);
  }

  #onMessage(message: FromWorker): void {
    if (message.op === 'data') {
      this.#pending--;
      this.#keepAlive(false);
      this.#streams.get(message.connection)?.receive(message.bytes);
    } else if (message.op === 'failed') {
      this.#fail(new Error(`the embedded store failed: ${message.message}`));
    } else if (message.op === 'closed') {
      this.#failure ??= new Error('the embedded store is closed');
    }
  }

  /** The worker is gone or broken: every connection fails now, and every later one at once. */
  #fail(error: Error): void {
    this.#failure ??= error;
    for (const stream of this.#streams.values()) stream.destroy(this.#failure);
    this.#streams.clear();
  }
}

/**
 * The worker runs pglite-worker.ts. In the bundle (bin/build.js) that is its built sibling
 * dist/pglite-worker.js. From source (tsx: tests, benches), Node 20 does not pass tsx's loader
 * (`--import tsx`) on to a worker, so the worker registers tsx itself before importing the file.
 */
function startWorker(workerData: WorkerOptions): Worker {
  const options = { workerData, resourceLimits: WORKER_LIMITS };
  if (!import.meta.url.endsWith('.ts'))
    return new Worker(new URL('./pglite-worker.js', import.meta.url), options);
  const entry = JSON.stringify(new URL('./pglite-worker.ts', import.meta.url).href);
  const bootstrap = `import('tsx/esm/api').then(({ register }) => { register(); return import(${entry}); });`;
  return new Worker(bootstrap, { ...options, eval: true });
}

/**
 * The worker's JavaScript heap stays small: PGlite's data lives in its WebAssembly memory and the
 * wire bytes in ArrayBuffers outside the heap. A small young generation (what the start script's
 * `--max-semi-space-size=2` does for the main thread; a worker's isolate has its own limits)
 * keeps idle_rss down (docs/performance.md "Memory").
 */
const WORKER_LIMITS = { maxYoungGenerationSizeMb: 2 };

/**
 * One `pg` connection as a Duplex: writes go to the worker, the worker's answers are read.
 * `pg` writes an extended query as several small writes in one go; they are posted together,
 * once the writing code yields, so the worker gets them in one message.
 */
class WorkerStream extends Duplex {
  readonly #host: PgliteHost;
  readonly #connection: number;
  #outgoing: Uint8Array[] = [];

  constructor(host: PgliteHost, connection: number) {
    super();
    this.#host = host;
    this.#connection = connection;
  }

  // What pg's Connection calls on a socket; an in-process port has no address, delay or keep-alive.
  connect(): this {
    queueMicrotask(() => this.emit('connect'));
    return this;
  }
  setNoDelay(): this {
    return this;
  }
  setKeepAlive(): this {
    return this;
  }
  ref(): this {
    return this;
  }
  unref(): this {
    return this;
  }

  /** @internal The worker's answer for this connection. */
  receive(bytes: Uint8Array): void {
    if (bytes.length > 0) this.push(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length));
  }

  override _read(): void {}

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (this.#outgoing.push(chunk) === 1) queueMicrotask(() => this.#flush());
    callback();
  }

  #flush(): void {
    const parts = this.#outgoing;
    this.#outgoing = [];
    // A fresh buffer: small Buffers share a pool, and transferring one would detach the pool.
    const bytes = new Uint8Array(parts.reduce((total, part) => total + part.length, 0));
    let offset = 0;
    for (const part of parts) {
      bytes.set(part, offset);
      offset += part.length;
    }
    try {
      this.#host.send(this.#connection, bytes);
    } catch (error) {
      this.destroy(error as Error);
    }
  }

  override _final(callback: (error?: Error | null) => void): void {
    if (this.#outgoing.length > 0) this.#flush();
    this.#host.end(this.#connection);
    this.push(null);
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#host.end(this.#connection);
    callback(error);
  }
}
