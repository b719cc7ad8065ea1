/**
 * The embedded store's thread (issue 15): PGlite runs here, so the WebAssembly backend's work
 * never holds up the thread that serves HTTP and SIP. The node's thread sends statements
 * (pglite-worker-dialect.ts) and operations (store-operation.ts); this thread runs them on
 * PGlite's one session, in order per transaction, one transaction, lone statement or operation
 * at a time (PGliteDriver's lock). Its entry is src/wiring/store-thread.ts, which knows the
 * operations.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';
import { CompiledQuery, type DatabaseConnection, type Driver, Kysely } from 'kysely';
import type { Database } from './database.ts';
import { type PGliteConnection, PGliteDialect, PGliteDriver } from './pglite-dialect.ts';
import {
  toWorkerError,
  type WorkerInit,
  type WorkerReply,
  type WorkerRequest,
} from './pglite-worker-protocol.ts';
import type { StoreOperation } from './store-operation.ts';

/** A transaction in progress: its connection, and the tail of its statements run so far. */
interface Session {
  connection: Promise<DatabaseConnection>;
  tail: Promise<unknown>;
  /** Why it could not begin (its connection was given back at once). */
  failed?: unknown;
}

async function serve(
  init: WorkerInit,
  operations: ReadonlyMap<string, StoreOperation<unknown, unknown>>,
): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('pglite-worker: not started as a worker thread');
  const pglite = await PGlite.create({
    ...(init.dataDir ? { dataDir: init.dataDir } : {}),
    ...(init.image ? { loadDataDir: init.image } : {}),
    // Composed here, so the node's thread never loads PGlite's module at all.
    startParams: [...PGlite.defaultStartParams, ...init.settings.flatMap((setting) => ['-c', setting])],
  });
  const driver = new PGliteDriver(pglite);
  await driver.init();
  // Operations' own handle on the same session: its transactions queue with the node's.
  const db = new Kysely<Database>({ dialect: new SharedDriverDialect(pglite, driver) });
  const sessions = new Map<number, Session>();

  const reply = (message: WorkerReply) => port.postMessage(message);
  const answer = (id: number, work: Promise<unknown>) =>
    work.then(
      (result) => reply({ id, ok: true, ...(result === undefined ? {} : { result }) }),
      (error: unknown) => reply({ id, ok: false, error: toWorkerError(error) }),
    );

  /** Runs `step` after the session's earlier statements, whether they failed or not. */
  const inSession = <T>(
    session: Session,
    step: (connection: DatabaseConnection) => Promise<T>,
  ): Promise<T> => {
    const run = session.tail.then(async () => step(await session.connection));
    session.tail = run.catch(() => {});
    return run;
  };

  const execute = async (connection: DatabaseConnection, sql: string, params: readonly unknown[]) => {
    const result = await connection.executeQuery(CompiledQuery.raw(sql, [...params]));
    return {
      rows: result.rows,
      ...(result.numAffectedRows !== undefined ? { affected: result.numAffectedRows } : {}),
    };
  };

  /** Takes the connection for a new transaction, opened with `begin`. */
  const open = (id: number, begin: string): Session => {
    const session: Session = { connection: driver.acquireConnection(), tail: Promise.resolve() };
    sessions.set(id, session);
    session.tail = inSession(session, (c) => (c as PGliteConnection).executeCommand(begin)).catch(
      async (error: unknown) => {
        // No transaction was opened: the connection goes back, and the session's statements and
        // its commit fail with the reason (a rollback has nothing to undo).
        session.failed = error;
        session.connection = Promise.reject(error);
        session.connection.catch(() => {});
        await driver.releaseConnection();
      },
    );
    return session;
  };

  port.on('message', (request: WorkerRequest) => {
    switch (request.kind) {
      case 'query': {
        if (request.session !== undefined) {
          const session =
            request.begin === undefined
              ? sessions.get(request.session)
              : open(request.session, request.begin);
          // A statement of a transaction that is not open here must not run on its own.
          void answer(
            request.id,
            session
              ? inSession(session, (c) => execute(c, request.sql, request.params))
              : Promise.reject(new Error(`pglite-worker: no transaction ${request.session}`)),
          );
          return;
        }
        void answer(
          request.id,
          (async () => {
            const connection = await driver.acquireConnection();
            try {
              return await execute(connection, request.sql, request.params);
            } finally {
              await driver.releaseConnection();
            }
          })(),
        );
        return;
      }
      case 'commit':
      case 'rollback': {
        const session = sessions.get(request.session);
        // Kysely rolls back after a failed commit, whose session has ended already: nothing to do
        // (PostgreSQL itself only warns of a rollback outside a transaction).
        if (!session) {
          void answer(request.id, Promise.resolve());
          return;
        }
        const end = request.kind === 'commit' ? driver.commitTransaction : driver.rollbackTransaction;
        const ended = session.tail.then(async () => {
          sessions.delete(request.session);
          if (session.failed !== undefined) {
            if (request.kind === 'commit') throw session.failed;
            return;
          }
          try {
            await end.call(driver, await session.connection);
          } finally {
            await driver.releaseConnection();
          }
        });
        void answer(request.id, ended);
        return;
      }
      case 'operation': {
        const operation = operations.get(request.name);
        void answer(
          request.id,
          operation
            ? operation.run(db, request.args)
            : Promise.reject(
                new Error(`pglite-worker: the store's thread serves no operation ${request.name}`),
              ),
        );
        return;
      }
      case 'close':
        void answer(request.id, driver.destroy());
        return;
    }
  });
  port.postMessage({ ready: true });
}

/** A dialect whose driver is the one the thread already holds (one session, one lock). */
class SharedDriverDialect extends PGliteDialect {
  constructor(
    pglite: PGlite,
    private readonly driver: Driver,
  ) {
    super({ pglite });
  }

  override createDriver(): Driver {
    return this.driver;
  }
}

/** Serves the node's statements and `operations` on this thread (a worker's entry calls it). */
export function serveStoreThread(operations: readonly StoreOperation<never, unknown>[]): void {
  const byName = new Map(
    operations.map((operation) => [operation.name, operation as StoreOperation<unknown, unknown>]),
  );
  serve(workerData as WorkerInit, byName).catch((error: unknown) => {
    parentPort?.postMessage({ ready: false, error: toWorkerError(error) });
  });
}
