/** What the main thread and the PGlite worker (pglite-worker.ts) post to each other. */

/** How the worker opens PGlite: a data dir, an image of one (a dumped data dir), or in memory. */
export interface WorkerOptions {
  dataDir?: string;
  image?: Blob;
  /** PostgreSQL settings passed as `-c name=value` start parameters. */
  settings: string[];
}

/** Main thread → worker. Each `data` gets exactly one `data` answer for its connection. */
export type ToWorker =
  | { op: 'data'; connection: number; bytes: Uint8Array }
  | { op: 'end'; connection: number }
  | { op: 'close' };

/** Worker → main thread. */
export type FromWorker =
  | { op: 'ready' }
  | { op: 'data'; connection: number; bytes: Uint8Array }
  | { op: 'failed'; message: string }
  | { op: 'closed' };
