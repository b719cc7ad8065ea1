import { type RawBuilder, sql } from 'kysely';

/**
 * Conditions on a call's phase (migration 0022): the partial indexes of waiting and live calls
 * are defined on the phase, not the status, so that status changes within a phase touch no index.
 * A statement that wants one of them says so in these words: PostgreSQL uses a partial index only
 * when the statement's condition implies the index's, and `status in (…)` does not imply
 * `phase = …`. `alias` qualifies the column (`c` → `c.phase`); none: the bare column.
 */
export function inWaitingPhase(alias?: string): RawBuilder<unknown> {
  return sql`${sql.ref(alias ? `${alias}.phase` : 'phase')} = 'waiting'`;
}

/** A call whose telephony legs may be up (LIVE_STATUSES): see inWaitingPhase. */
export function inLivePhase(alias?: string): RawBuilder<unknown> {
  return sql`${sql.ref(alias ? `${alias}.phase` : 'phase')} = 'live'`;
}
