import type { Logger } from 'pino';
import type { Clock } from '../domain/clock.ts';
import { pruneConsoleSessions } from '../store/console-sessions.ts';
import type { Db } from '../store/database.ts';
import { purgeExpiredIdempotencyKeys } from '../store/idempotency-keys.ts';
import { pruneSipNonces } from '../store/sip-nonce-uses.ts';

/** Ended or expired console sessions are kept a day: who signed in when stays easy to see. */
const CONSOLE_SESSION_KEEP_MS = 24 * 3600_000;

/**
 * Periodic deletes that only bound tables' sizes: expired idempotency keys (kept 24 h; an expired
 * key is taken over by its next use anyway) and old console sessions, hourly; and, with the SIP
 * driver, nonce-count records, which outlive their nonce by nothing, every nonce lifetime (at
 * least 10 s). Returns the function that stops them.
 */
export function startStoreSweeps(deps: {
  db: Db;
  clock: Clock;
  logger: Logger;
  /** The registrar's nonce lifetime; absent when there is no SIP driver. */
  sipNonceTtlSeconds?: number;
}): () => void {
  const { db, clock, logger } = deps;
  const timers = [
    setInterval(
      () =>
        void Promise.all([
          purgeExpiredIdempotencyKeys(db, clock.now()),
          pruneConsoleSessions(db, new Date(clock.now().getTime() - CONSOLE_SESSION_KEEP_MS)),
        ]).catch((error: unknown) => logger.warn({ err: error }, 'idempotency or session sweep failed')),
      3600_000,
    ),
  ];
  if (deps.sipNonceTtlSeconds !== undefined)
    timers.push(
      setInterval(
        () =>
          void pruneSipNonces(db, clock.now()).catch((error: unknown) =>
            logger.warn({ err: error }, 'SIP nonce sweep failed'),
          ),
        Math.max(10, deps.sipNonceTtlSeconds) * 1000,
      ),
    );
  for (const timer of timers) timer.unref();
  return () => {
    for (const timer of timers) clearInterval(timer);
  };
}
