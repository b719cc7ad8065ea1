import { sql } from 'kysely';
import type { Db } from '../database.ts';

/**
 * Moves every campaign in one of `from` whose `schedule.<boundary>` has passed to `to`, and
 * writes each one's `campaign.status_changed` event (with the campaign as it is now) in the same
 * statement — the schedule's own transitions are state changes like the API's. Rows another node
 * is moving are skipped (SKIP LOCKED). Returns how many campaigns moved.
 */
export async function moveCampaignsBySchedule(
  db: Db,
  move: { from: readonly string[]; to: string; boundary: 'startAt' | 'endAt' },
  /** The dialer's clock: a boundary has passed when it is at or before this instant. */
  now: Date,
): Promise<number> {
  const result = await sql<{ moved: number }>`
    with due as (
      -- The status column (migration 0020), not the document: a campaign in none of the
      -- \`from\` states is passed over without its document being fetched and inflated.
      select tenant_id, id, status as old_status from campaigns
      where status = any(${[...move.from]}::text[])
        and (data->'schedule'->>${move.boundary}) is not null
        and (data->'schedule'->>${move.boundary})::timestamptz <= ${now}::timestamptz
      for update skip locked
    ),
    moved as (
      update campaigns c set data = jsonb_set(c.data, '{status}', to_jsonb(${move.to}::text)), updated_at = ${now}
      from due where c.tenant_id = due.tenant_id and c.id = due.id
      returning c.tenant_id, c.id, due.old_status, c.data, c.created_at, c.updated_at
    ),
    written as (
      insert into call_events (tenant_id, call_id, campaign_id, subject_type, subject_id, sequence, type, data)
      select m.tenant_id, null, m.id, 'campaign', m.id,
        coalesce((select max(e.sequence) from call_events e
          where e.tenant_id = m.tenant_id and e.subject_type = 'campaign' and e.subject_id = m.id
            and e.call_id is null), 0) + 1,
        'campaign.status_changed',
        jsonb_build_object(
          'campaign', jsonb_build_object('id', m.id) || m.data || jsonb_build_object(
            'createdAt', to_char(m.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
            'updatedAt', to_char(m.updated_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')),
          'from', m.old_status, 'to', ${move.to}::text, 'campaignStatus', ${move.to}::text,
          'reason', ${`schedule.${move.boundary} reached`}::text)
      from moved m
      returning 1
    )
    select count(*)::int as moved from written`.execute(db);
  return Number(result.rows[0]?.moved ?? 0);
}
