/**
 * The messages between the node's thread and the PGlite worker (pglite-worker.ts). The store's
 * statements cross as text and parameters and come back as rows: one message each way per
 * statement, one per transaction boundary.
 */

/** How the worker opens its database (the options of openStore's `pglite` kind). */
export interface WorkerInit {
  dataDir?: string;
  image?: Blob;
  /** PostgreSQL settings (`name=value`), added to PGlite's default start parameters there. */
  settings: readonly string[];
}

/**
 * A request to the worker. `session` names the caller's transaction: its first statement carries
 * `begin` (the transaction's opening statement: it costs no message of its own), and the session's
 * statements run in order on the connection that first one took. Without a session a statement
 * runs alone.
 */
export type WorkerRequest =
  | { id: number; kind: 'query'; sql: string; params: readonly unknown[]; session?: number; begin?: string }
  | { id: number; kind: 'commit' | 'rollback'; session: number }
  /** A StoreOperation the store's thread serves, run there in one go. */
  | { id: number; kind: 'operation'; name: string; args: unknown }
  | { id: number; kind: 'close' };

/** Rows of one statement; `affected` only for row-writing commands (as the pg driver reports). */
export interface WorkerRows {
  rows: unknown[];
  affected?: bigint;
}

/** The worker's answer to request `id`: a statement's rows, or an operation's result. */
export type WorkerReply =
  | { id: number; ok: true; result?: unknown }
  | { id: number; ok: false; error: WorkerError };

/** An error as it crosses the thread: its message, name and PostgreSQL's fields (code, detail …). */
export interface WorkerError {
  name: string;
  message: string;
  fields: Record<string, unknown>;
}

/** The fields of a database error that callers read (`code` chiefly); the rest stays behind. */
const ERROR_FIELDS = [
  'code',
  'detail',
  'hint',
  'position',
  'schema',
  'table',
  'column',
  'dataType',
  'constraint',
  'severity',
  'where',
] as const;

/** `error` in a form structured clone carries intact (a class's prototype would not cross). */
export function toWorkerError(error: unknown): WorkerError {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error), fields: {} };
  const fields: Record<string, unknown> = {};
  for (const field of ERROR_FIELDS) {
    const value = (error as unknown as Record<string, unknown>)[field];
    if (value !== undefined) fields[field] = value;
  }
  return { name: error.name, message: error.message, fields };
}

/** The error again on the calling thread, with the caller's stack (where the statement was sent). */
export function fromWorkerError(error: WorkerError): Error {
  const rebuilt = Object.assign(new Error(error.message), error.fields);
  rebuilt.name = error.name;
  return rebuilt;
}
