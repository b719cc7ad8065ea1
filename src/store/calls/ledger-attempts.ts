import { sql } from 'kysely';
import type { LedgerAttempt } from '../../domain/pacing/abandonment-ledger.ts';
import type { Executor } from '../database.ts';

/**
 * The live answers of a campaign's attempts in [from, to), as the abandonment ledger reads them,
 * in one set-based query, oldest first. A live answer is an attempt whose contact answered
 * (contact_answered_at) and whose analysis, if any, did not hear a machine, a fax or a special
 * information tone; it was abandoned when the attempt's outcome is `abandoned`. An abandoned
 * attempt without contact_answered_at (written before the dialer recorded it) still counts, at
 * its end: a contact left unconnected is never dropped from the ledger.
 */
export async function readLedgerAttempts(
  db: Executor,
  query: { tenantId: string; campaignId: string; from: Date; to: Date },
): Promise<LedgerAttempt[]> {
  const liveAt = sql`coalesce(a.contact_answered_at, a.ended_at, a.started_at)`;
  const result = await sql<{ live_at: Date | string; abandoned: boolean }>`
    select ${liveAt} as live_at, coalesce(a.outcome = 'abandoned', false) as abandoned
    from calls c
    join call_attempts a on a.tenant_id = c.tenant_id and a.call_id = c.id
    where c.tenant_id = ${query.tenantId} and c.campaign_id = ${query.campaignId}
      and (a.contact_answered_at is not null or a.outcome = 'abandoned')
      and coalesce(a.analysis ->> 'verdict', '') not in ('machine', 'fax', 'invalid_number')
      and ${liveAt} >= ${query.from} and ${liveAt} < ${query.to}
    order by 1`.execute(db);
  return result.rows.map((row) => ({
    liveAnsweredAt: new Date(row.live_at).getTime(),
    abandoned: row.abandoned,
  }));
}
