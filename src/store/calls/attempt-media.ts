import { sql } from 'kysely';
import type { LegMediaQuality } from '../../domain/telephony.ts';
import type { Executor } from '../database.ts';
import type { AttemptKey } from './attempt-batches.ts';

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
  const first = (column: AttemptMediaColumn, value: Date | undefined) =>
    value === undefined ? {} : { [column]: sql<Date>`coalesce(${sql.ref(column)}, ${value})` };
  const set = {
    ...first('contact_answered_at', facts.contactAnsweredAt),
    ...first('abandon_prompt_played_at', facts.abandonPromptPlayedAt),
    ...first('machine_message_played_at', facts.machineMessagePlayedAt),
    ...first('agent_connected_at', facts.agentConnectedAt),
    // The verdict is kept from its first write; the machine's beep, heard after it, fills in.
    ...(facts.analysis === undefined
      ? {}
      : {
          analysis: sql<string>`case
            when analysis is null then ${JSON.stringify(facts.analysis)}::jsonb
            when analysis->>'beepAtMs' is null and analysis->>'verdict' = ${facts.analysis.verdict}
              then ${JSON.stringify(facts.analysis)}::jsonb
            else analysis end`,
        }),
    ...(facts.media === undefined ? {} : { media: JSON.stringify(facts.media) }),
  };
  let query = db
    .updateTable('call_attempts')
    .where('tenant_id', '=', key.tenantId)
    .where('call_id', '=', key.callId)
    .where('n', '=', key.n);
  // With nothing to record, still say whether the attempt exists.
  query = Object.keys(set).length === 0 ? query.set({ n: key.n }) : query.set(set);
  const result = await query.executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}
