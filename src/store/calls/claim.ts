import { type RawBuilder, sql } from 'kysely';
import type { Db } from '../database.ts';
import { notHandedToOthers } from '../registrations/registration-holder.ts';
import { moveCampaignsBySchedule } from '../webhooks/move-campaigns-by-schedule.ts';
import { inLivePhase, inWaitingPhase } from './call-phase.ts';
import { callRowColumns } from './call-row-columns.ts';
import type { CallRow } from './call-rows.ts';

/** Leases the calls a locking sub-select picks to `owner` and returns them. */
async function leaseCalls(
  db: Db,
  owner: string,
  leaseSeconds: number,
  selection: RawBuilder<unknown>,
  now: Date,
): Promise<CallRow[]> {
  const result = await sql<CallRow>`
    update calls set lease_owner = ${owner}, leased_until = ${now}::timestamptz + make_interval(secs => ${leaseSeconds}), updated_at = ${now}
    where (tenant_id, id) in (${selection})
    returning ${callRowColumns()}`.execute(db);
  return result.rows;
}

/**
 * Claims due calls for one dialer: rows waiting (queued or scheduled, due now, campaign
 * running or no campaign) and not leased, locked with FOR UPDATE SKIP LOCKED so concurrent
 * dialers on other nodes take disjoint rows, then leased to `owner` until `leaseSeconds` from now.
 */
export function claimDueCalls(
  db: Db,
  owner: string,
  limit: number,
  leaseSeconds: number,
  now: Date,
): Promise<CallRow[]> {
  return leaseCalls(
    db,
    owner,
    leaseSeconds,
    waitingCalls(sql`${now}::timestamptz`, notHandedToOthers(owner, now), limit, now),
    now,
  );
}

/**
 * Waiting calls (queued or scheduled, not leased, campaign running or no campaign) due by
 * `dueBy` and matching `narrowing` (an `and …` clause or nothing), oldest due first, locked
 * with FOR UPDATE SKIP LOCKED so concurrent dialers on other nodes take disjoint rows.
 */
function waitingCalls(dueBy: RawBuilder<unknown>, narrowing: RawBuilder<unknown>, limit: number, now: Date) {
  return sql`select c.tenant_id, c.id from calls c
      left join campaigns p on p.tenant_id = c.tenant_id and p.id = c.campaign_id
      where ${inWaitingPhase('c')}
        and c.next_attempt_at <= ${dueBy}
        and (c.leased_until is null or c.leased_until < ${now}::timestamptz)
        and (c.campaign_id is null or p.status = 'running')
        -- Preview calls are offered to agents first (src/dialer/preview-offers.ts); predictive
        -- campaigns are claimed by their pacing (claimCampaignCalls): neither is claimed here.
        and (c.campaign_id is null or coalesce(p.dialing_mode, '') not in ('preview', 'predictive'))
        ${narrowing}
      order by c.next_attempt_at
      limit ${limit}
      for update of c skip locked`;
}

/** An agent who just finished a call on this node, and the campaign of that call (if any). */
export interface FreedAgent {
  tenantId: string;
  userId: string;
  campaignId: string | null;
}

/**
 * Claims calls that are waiting for an agent — postponed because none was free, which leaves
 * them queued or scheduled with no `scheduled_for` and `next_attempt_at` at most `waitMs`
 * ahead — whose campaign is one a freed agent just served, or that asked for that agent. They
 * are claimed before their wait is up, so a free agent gets the next contact at once instead of
 * idling for the rest of the wait. Calls deferred to a time (scheduled_for set) are never taken
 * early.
 */
export function claimAgentWaiters(
  db: Db,
  owner: string,
  freed: readonly FreedAgent[],
  waitMs: number,
  limit: number,
  leaseSeconds: number,
  now: Date,
): Promise<CallRow[]> {
  if (freed.length === 0) return Promise.resolve([]);
  const agents = JSON.stringify(freed.map((a) => ({ t: a.tenantId, u: a.userId, p: a.campaignId })));
  return leaseCalls(
    db,
    owner,
    leaseSeconds,
    waitingCalls(
      sql`${now}::timestamptz + make_interval(secs => ${waitMs / 1000})`,
      sql`and c.scheduled_for is null
        and exists (
          select 1 from jsonb_to_recordset(${agents}::jsonb) as a(t text, u text, p text)
          where a.t = c.tenant_id and (a.p = c.campaign_id or a.u = c.requested_user_id))
        ${notHandedToOthers(owner, now)}`,
      limit,
      now,
    ),
    now,
  );
}

/** Live calls whose lease ran out: their node died mid-call. Claims them for `owner`. */
export function claimAbandonedCalls(
  db: Db,
  owner: string,
  limit: number,
  leaseSeconds: number,
  now: Date,
): Promise<CallRow[]> {
  return leaseCalls(
    db,
    owner,
    leaseSeconds,
    sql`select tenant_id, id from calls
      where ${inLivePhase()} and leased_until < ${now}::timestamptz
      limit ${limit}
      for update skip locked`,
    now,
  );
}

/**
 * Keeps the leases of the calls this dialer is actually driving alive. Only those: a call whose
 * session died (say, its settle failed) must let its lease lapse so recovery can close it.
 * Only leases with less than half their time left are renewed, and rows another transaction
 * holds are skipped: renewing every live call every second rewrote each call row (and its
 * leased_until index entry) once a second, and waited on — and blocked — the call steps'
 * group commits that were writing the same rows (measured: a quarter of PostgreSQL's backends
 * waiting on each other's row locks at 150 calls/s). A skipped row is renewed on a later pass,
 * long before its lease runs out.
 */
export async function extendLeases(
  db: Db,
  owner: string,
  callIds: readonly string[],
  leaseSeconds: number,
  now: Date,
): Promise<void> {
  if (callIds.length === 0) return;
  await sql`update calls set leased_until = ${now}::timestamptz + make_interval(secs => ${leaseSeconds})
    where (tenant_id, id) in (
      select tenant_id, id from calls
      where lease_owner = ${owner} and id = any(${[...callIds]}::text[])
        and ${inLivePhase()}
        and leased_until < ${now}::timestamptz + make_interval(secs => ${leaseSeconds / 2})
      for update skip locked)`.execute(db);
}

/** Moves scheduled campaigns whose start time has come to running, and ended ones to completed. */
export async function advanceCampaignSchedules(db: Db, now: Date): Promise<void> {
  // Each move writes its campaign.status_changed event in the same statement (issue 6).
  await moveCampaignsBySchedule(db, { from: ['scheduled'], to: 'running', boundary: 'startAt' }, now);
  await moveCampaignsBySchedule(
    db,
    {
      from: ['running', 'paused', 'scheduled'],
      to: 'completed',
      boundary: 'endAt',
    },
    now,
  );
}
