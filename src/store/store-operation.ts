import type { Db } from './database.ts';

/**
 * A transaction script that runs where the store runs (issue 15). On the embedded store PGlite
 * lives on its own thread, and a transaction sent from the node's thread one statement at a time
 * holds PGlite's one session for a thread hop per statement (~80 µs here even when both threads
 * are idle, an event-loop turn of a busy node's thread at worst). An operation crosses once: its
 * arguments go to the store's thread, which runs `run` there against its own handle on the same
 * session, and its result comes back. Arguments and results must survive structured clone
 * (plain data, Dates; no functions, no class instances). On PostgreSQL it simply runs here.
 */
export interface StoreOperation<A, R> {
  /** Unique among the operations the store's thread serves (src/wiring/store-thread.ts). */
  readonly name: string;
  /** Tables it inserts into, for observers that wake readers of them (the outbox's). */
  readonly inserts?: readonly string[];
  run(db: Db, args: A): Promise<R>;
}

/** Sends an operation to the thread that holds the store; what open-store.ts places on a Db. */
export type OperationRunner = (name: string, args: unknown) => Promise<unknown>;

/** Told after an operation ran, wherever it ran (statements on the store's thread pass no plugin). */
export type OperationObserver = (operation: StoreOperation<never, unknown>) => void;

// Keyed by the Kysely adapter, which every handle derived from the store's Db shares (withPlugin,
// withSchema, its transactions): operations sent through any of them go to the same place.
const runners = new WeakMap<object, OperationRunner>();
const observers = new WeakMap<object, Set<OperationObserver>>();

/** Makes `db`'s operations run through `runner` (the embedded store's thread). */
export function placeOperations(db: Db, runner: OperationRunner): void {
  runners.set(db.getExecutor().adapter, runner);
}

/** Calls `observer` after every operation run through `db` or a handle derived from it. */
export function observeOperations(db: Db, observer: OperationObserver): void {
  const key = db.getExecutor().adapter;
  const set = observers.get(key) ?? new Set();
  set.add(observer);
  observers.set(key, set);
}

/**
 * Runs `operation` with `args` where `db`'s store runs: on the store's thread when `db` is the
 * embedded store's handle, else right here (PostgreSQL). Never inside a transaction: an
 * operation opens its own.
 */
export async function runStoreOperation<A, R>(db: Db, operation: StoreOperation<A, R>, args: A): Promise<R> {
  // On the embedded store it would run beside the transaction, not in it: refused on both stores.
  if (db.isTransaction) throw new Error(`store operation ${operation.name} run inside a transaction`);
  const key = db.getExecutor().adapter;
  const runner = runners.get(key);
  const result = runner ? ((await runner(operation.name, args)) as R) : await operation.run(db, args);
  for (const observer of observers.get(key) ?? []) observer(operation as StoreOperation<never, unknown>);
  return result;
}
