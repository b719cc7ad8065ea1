import type { PGlite } from '@electric-sql/pglite';

/** One frontend message waiting for PGlite's backend session. */
interface PendingMessage {
  connection: number;
  message: Uint8Array;
  onData: (data: Uint8Array) => void;
  resolve: (bytes: number) => void;
  reject: (error: Error) => void;
}

/** Frontend message types after which the session answers ReadyForQuery (a unit's end). */
const SYNC = 0x53; // 'S'
const QUERY = 0x51; // 'Q'
const TERMINATE = 0x58; // 'X'

/** A simple-protocol `rollback` (Query message: 'Q', length, text, NUL). */
const ROLLBACK = simpleQuery('rollback');

/**
 * Shares PGlite's single backend session among several wire-protocol connections.
 *
 * This replaces pglite-socket 0.2.17's own queue, which hands the session to whichever
 * connection's message is next and pins it to one connection only inside a transaction. An
 * extended-protocol query (Parse, Bind, Describe, Execute, Sync) is not inside a transaction
 * between its messages, so two connections' queries interleaved there: B's Parse replaced the
 * unnamed statement A was about to Bind, and A got B's rows (66 of 400 queries with 1 MB
 * parameters, measured; electric-sql/pglite#1046). Its queue also stayed "busy" for good after
 * one failed message. Here the session belongs to one connection from its first message until
 * the end of a unit (Sync, a simple Query, a startup or Terminate) and, past that, for as long
 * as it is inside a transaction — what a PostgreSQL backend per connection gives for free.
 * A connection that holds a transaction while waiting for another connection's answer would
 * therefore deadlock, exactly as it would on one pooled PGlite connection; pconn never does that
 * (DESIGN.md: never hold a transaction across other I/O).
 */
export class SessionQueue {
  readonly #db: PGlite;
  readonly #pending: PendingMessage[] = [];
  /** The connection the session belongs to, mid-unit or mid-transaction; none when free. */
  #owner: number | undefined;
  #draining = false;
  #idle: Array<() => void> = [];

  constructor(db: PGlite) {
    this.#db = db;
  }

  /** Runs `message` for `connection` when the session is its turn; resolves with the bytes answered. */
  enqueue(connection: number, message: Uint8Array, onData: (data: Uint8Array) => void): Promise<number> {
    return new Promise((resolve, reject) => {
      this.#pending.push({ connection, message, onData, resolve, reject });
      void this.#drain();
    });
  }

  /** Drops the messages a closed connection still had queued. */
  clearQueueForHandler(connection: number): void {
    for (let index = this.#pending.length - 1; index >= 0; index--) {
      const pending = this.#pending[index];
      if (pending?.connection !== connection) continue;
      this.#pending.splice(index, 1);
      pending.reject(new Error('connection closed'));
    }
  }

  /** Frees the session from a closed connection, rolling back the transaction it left open. */
  async clearTransactionIfNeeded(connection: number): Promise<void> {
    // A message of this connection already under way asked for the session before this did,
    // so the check below sees the owner it left behind.
    await this.#db.runExclusive(async () => {
      if (this.#owner !== connection) return;
      if (this.#db.isInTransaction()) await this.#db.execProtocolRaw(ROLLBACK);
      this.#owner = undefined;
    });
    void this.#drain();
  }

  /** How many messages wait. */
  getQueueLength(): number {
    return this.#pending.length;
  }

  /** Resolves once no message runs or waits (before the database is closed). */
  whenIdle(): Promise<void> {
    if (!this.#draining && this.#pending.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  async #drain(): Promise<void> {
    if (this.#draining) return;
    this.#draining = true;
    try {
      for (;;) {
        const index =
          this.#owner === undefined ? 0 : this.#pending.findIndex((p) => p.connection === this.#owner);
        const next = index >= 0 ? this.#pending[index] : undefined;
        // The owner's next message has not arrived yet: everyone else waits for it.
        if (!next) break;
        this.#pending.splice(index, 1);
        let bytes = 0;
        try {
          await this.#db.runExclusive(async () => {
            await this.#db.execProtocolRawStream(next.message, {
              onRawData: (data) => {
                bytes += data.length;
                next.onData(data);
              },
            });
            const type = next.message[0];
            // A startup message has no type byte: its first byte is the high byte of its length, 0.
            const unitEnds = type === SYNC || type === QUERY || type === TERMINATE || type === 0;
            this.#owner = unitEnds && !this.#db.isInTransaction() ? undefined : next.connection;
          });
        } catch (error) {
          // The handler closes its connection on this rejection and then rolls back what it left
          // open; until then the session stays with it only if a transaction is open.
          this.#owner = this.#db.isInTransaction() ? next.connection : undefined;
          next.reject(error as Error);
          continue;
        }
        next.resolve(bytes);
      }
    } finally {
      this.#draining = false;
      if (this.#pending.length === 0) for (const resolve of this.#idle.splice(0)) resolve();
    }
  }
}

/** The bytes of a simple-protocol Query message. */
function simpleQuery(text: string): Uint8Array {
  const body = Buffer.from(`${text}\0`, 'utf8');
  const message = Buffer.alloc(5 + body.length);
  message.write('Q', 0, 'latin1');
  message.writeInt32BE(4 + body.length, 1);
  body.copy(message, 5);
  return new Uint8Array(message);
}
