import { sql } from 'kysely';
import type { LegMediaQuality } from '../../domain/telephony.ts';
import type { Executor } from '../database.ts';
import type { AttemptKey } from './attempt-batches.ts';
import { keyProbe } from './key-probes.ts';

/*
 * What the dialer learns about the contact's leg of an attempt (issues 16 and 17): the facts the
 * abandonment ledger and the call's record are built from. Columns of migration 0016.
 */

/** The attempt columns recordAttemptMedia writes (an insert leaves them out). */
export type AttemptMediaColumn =
  | 'contact_answered_at'
  | 'analysis'
  | 'media'
  | 'abandon_prompt_played_at'
  | 'machine_message_played_at'
  | 'agent_connected_at';

/**
 * An answer-detection result as stored: media/answer-detection-result.ts AnswerDetection (the
 * store may not import media/, so this is its structural twin; an AnswerDetection fits it).
 */
export interface AttemptAnalysis {
  verdict: 'human' | 'machine' | 'fax' | 'silence' | 'unknown' | 'invalid_number';
  decidedAtMs: number;
  beepAtMs: number | null;
  features: object;
}

/** Facts about an attempt's contact leg; each one given is recorded, the others left as they are. */
export interface AttemptMediaFacts {
  /** The contact picked up (the 200 OK of the contact's leg): the ledger's live answer instant. */
  contactAnsweredAt?: Date;
  /** Answer detection's verdict; a live answer is one whose verdict is not machine, fax or SIT. */
  analysis?: AttemptAnalysis;
  /** RTP quality of the contact's leg while pconn anchored it (last report wins). */
  media?: LegMediaQuality;
  /** The abandon prompt started playing to the contact. */
  abandonPromptPlayedAt?: Date;
  /** The machine message started playing, after the beep. */
  machineMessagePlayedAt?: Date;
  /** The contact was bridged to an agent. */
  agentConnectedAt?: Date;
}

/**
 * Records media facts of one attempt, in any order and any number of calls (the step that learns
 * a fact calls it in the same transaction that writes the step). Each instant and the verdict
 * are kept from their first write, so a step replayed by recovery cannot move them (a machine's
 * beep, heard after its verdict, still fills in the analysis); `media` is a
 * measurement that grows, so its last write wins. Works on settled attempts too (quality arrives
 * with the end of the leg). Returns false when no such attempt exists.
 */
export async function recordAttemptMedia(
  db: Executor,
  key: AttemptKey,
  facts: AttemptMediaFacts,
): Promise<boolean> {
  const [found] = await recordAttemptsMedia(db, [{ key, facts }]);
  return found === true;
}

/**
 * An entry's media facts as members of its jsonb record (recorded by MEDIA_FACTS_ASSIGNMENTS);
 * absent facts are JSON null, which changes nothing.
 */
export function mediaFactsRecord(facts: AttemptMediaFacts | undefined) {
  return {
    answered: facts?.contactAnsweredAt ?? null,
    abandon: facts?.abandonPromptPlayedAt ?? null,
    machine: facts?.machineMessagePlayedAt ?? null,
    connected: facts?.agentConnectedAt ?? null,
    analysis: facts?.analysis ?? null,
    media: facts?.media ?? null,
  };
}

/** mediaFactsRecord's members as columns of the statement's `jsonb_to_recordset` row type. */
export const MEDIA_FACTS_COLUMNS = sql.raw(
  'answered timestamptz, abandon timestamptz, machine timestamptz, connected timestamptz, analysis jsonb, media jsonb',
);

/**
 * How an UPDATE of `call_attempts a` from rows `v` records their media facts, as recordAttemptMedia
 * says: each instant and the verdict kept from their first write, the last media report winning.
 */
export const MEDIA_FACTS_ASSIGNMENTS = sql.raw(`
      contact_answered_at = coalesce(a.contact_answered_at, v.answered),
      abandon_prompt_played_at = coalesce(a.abandon_prompt_played_at, v.abandon),
      machine_message_played_at = coalesce(a.machine_message_played_at, v.machine),
      agent_connected_at = coalesce(a.agent_connected_at, v.connected),
      -- The verdict is kept from its first write; the machine's beep, heard after it, fills in.
      analysis = case
        when v.analysis is null or v.analysis = 'null'::jsonb then a.analysis
        when a.analysis is null then v.analysis
        when a.analysis->>'beepAtMs' is null and a.analysis->>'verdict' = v.analysis->>'verdict'
          then v.analysis
        else a.analysis end,
      media = case when v.media is null or v.media = 'null'::jsonb then a.media else v.media end`);

/**
 * recordAttemptMedia for many attempts (at most one entry per attempt) in ONE statement, as the
 * dialer's group commit writes them: answers, per entry, whether its attempt exists. The rows
 * travel as one jsonb parameter, so the statement's text is the same whatever the batch. (An
 * attempt being settled gets its facts with its settle instead: settleAttempts.)
 */
export async function recordAttemptsMedia(
  db: Executor,
  entries: readonly { key: AttemptKey; facts: AttemptMediaFacts }[],
): Promise<boolean[]> {
  if (entries.length === 0) return [];
  const items = JSON.stringify(
    entries.map(({ key, facts }, i) => ({
      i,
      t: key.tenantId,
      c: key.callId,
      n: key.n,
      ...mediaFactsRecord(facts),
    })),
  );
  const result = await sql<{ i: number }>`
    with v as (
      select * from jsonb_to_recordset(${items}::jsonb) as j(i int, t text, c text, n int, ${MEDIA_FACTS_COLUMNS})
    )
    update call_attempts a set ${MEDIA_FACTS_ASSIGNMENTS}
    from v
    where a.tenant_id = v.t and a.call_id = v.c and a.n = v.n
      and ${keyProbe('a', { tenant: 'tenant_id', id: 'call_id' }, sql`(select t as tenant, c as id from v)`)}
    returning v.i`.execute(db);
  const found = entries.map(() => false);
  for (const { i } of result.rows) found[i] = true;
  return found;
}
