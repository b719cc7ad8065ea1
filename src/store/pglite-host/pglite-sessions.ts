import type { PGlite } from '@electric-sql/pglite';
import { FrontendFrames } from './frontend-frames.ts';
import { SessionScheduler } from './session-scheduler.ts';

/**
 * Serves many client connections' PostgreSQL wire protocol on PGlite's one session: cuts each
 * connection's bytes into whole messages, runs them when the session is that connection's turn
 * (session-scheduler.ts) and answers with the backend's bytes. Transport-free: the worker
 * (pglite-worker.ts) carries the bytes over its port.
 */
export class PgliteSessions {
  readonly #pglite: PGlite;
  readonly #frames = new Map<number, FrontendFrames>();
  readonly #scheduler: SessionScheduler;
  readonly #onBroken: (error: unknown) => never;

  /** `onBroken` is told when PGlite itself fails (not a query): it must end the store. */
  constructor(pglite: PGlite, onBroken: (error: unknown) => never) {
    this.#pglite = pglite;
    this.#onBroken = onBroken;
    this.#scheduler = new SessionScheduler(
      // Held inside a transaction block, and between an extended query's messages and its Sync.
      ({ lastType }) => pglite.isInTransaction() || !SESSION_RETURNING_TYPES.has(lastType),
    );
  }

  /** Runs `chunk` of `connection`'s bytes in its turn; resolves with the backend's answer (maybe empty). */
  receive(connection: number, chunk: Uint8Array): Promise<Uint8Array> {
    let frames = this.#frames.get(connection);
    if (!frames) {
      frames = new FrontendFrames();
      this.#frames.set(connection, frames);
    }
    const messages = frames.push(chunk);
    return new Promise((resolve) => {
      this.#scheduler.enqueue(connection, messages.at(-1)?.type ?? 'none', async () => {
        const replies: Uint8Array[] = [];
        let batch: Uint8Array[] = [];
        const flush = async () => {
          if (batch.length > 0) replies.push(await this.#execute(Buffer.concat(batch)));
          batch = [];
        };
        for (const message of messages) {
          if (message.type === 'ssl-request' || message.type === 'gssenc-request') {
            replies.push(NO_ENCRYPTION); // an in-process port: there is nothing to encrypt
          } else if (message.type === 'cancel-request') {
            // PGlite has no second backend to signal; a cancel is dropped (the protocol expects no reply).
          } else if (message.type === 'X') {
            await flush();
            await this.#endNow(connection);
          } else if (message.type === 'startup') {
            await flush();
            replies.push(await this.#execute(message.bytes));
          } else {
            // Consecutive messages (Parse/Bind/Describe/Execute/Sync) run in one call.
            batch.push(message.bytes);
          }
        }
        await flush();
        resolve(joinBytes(replies));
      });
    });
  }

  /** Ends `connection` in its turn (its socket or stream went away without a Terminate). */
  end(connection: number): Promise<void> {
    return new Promise((resolve) => {
      this.#scheduler.enqueue(connection, 'X', async () => {
        await this.#endNow(connection);
        resolve();
      });
    });
  }

  /** A transaction the connection left open is rolled back so the next holder starts clean. */
  async #endNow(connection: number): Promise<void> {
    if (!this.#frames.delete(connection)) return;
    if (this.#scheduler.holder === connection && this.#pglite.isInTransaction())
      await this.#execute(ROLLBACK);
    this.#scheduler.release(connection);
  }

  /** Runs whole messages on PGlite; a throw here means PGlite itself broke, not a query. */
  async #execute(bytes: Uint8Array): Promise<Uint8Array> {
    try {
      return await this.#pglite.execProtocolRaw(bytes);
    } catch (error) {
      return this.#onBroken(error);
    }
  }
}

/** Frontend message types after which the backend is back at ReadyForQuery (or the client gone). */
const SESSION_RETURNING_TYPES = new Set(['S', 'Q', 'X', 'startup', 'ssl-request', 'cancel-request']);

/** A fresh buffer holding `parts` in order, whose ArrayBuffer can be transferred (never a pooled one). */
export function joinBytes(parts: Uint8Array[]): Uint8Array {
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
