import { type Kysely, sql } from 'kysely';

/**
 * Dialing modes and answer detection (issues 16 and 17).
 *
 * call_attempts gain what the dialer learns about the contact's media, all nullable and written
 * by recordAttemptMedia: when the contact answered (the abandonment ledger counts live answers
 * from it), the answer-detection verdict, the leg's RTP quality, when the abandon prompt or the
 * machine message was played and when an agent was connected.
 *
 * Campaign documents written before the settings existed get their defaults, so the dialer reads
 * every setting from every campaign. The values are this migration's own copy of the defaults of
 * the day (service/resources/campaign-dialing.ts and media/answer-detection-settings.ts): a
 * shipped migration never changes when later defaults do.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table call_attempts
      add column contact_answered_at timestamptz,
      add column analysis jsonb,
      add column media jsonb,
      add column abandon_prompt_played_at timestamptz,
      add column machine_message_played_at timestamptz,
      add column agent_connected_at timestamptz`.execute(db);
  const defaults = {
    agentFirst: true,
    pacing: { abandonRateTarget: 0.03, maxLinesPerAgent: 3 },
    jurisdiction: 'us_fcc',
    wrapUpSeconds: 10,
    answerDetection: {
      enabled: false,
      machineAction: 'hangup',
      initialSilenceMs: 2500,
      greetingMs: 1500,
      afterGreetingSilenceMs: 800,
      minWordMs: 100,
      betweenWordsSilenceMs: 50,
      maxWords: 5,
      totalAnalysisMs: 5000,
      silenceThreshold: 256,
      faxToneMs: 400,
      sitSegmentMs: 200,
      minBeepMs: 150,
      beepTimeoutMs: 30000,
    },
    abandonPromptId: null,
    machinePromptId: null,
  };
  const retryDefaults = {
    machine: { retry: true, gapSeconds: 3600 },
    fax: { retry: false, gapSeconds: 0 },
  };
  // Top-level members the document has win over the defaults (jsonb || keeps the right side's).
  await sql`
    update campaigns set data = ${JSON.stringify(defaults)}::jsonb || data
      || jsonb_build_object('retryPolicy',
           ${JSON.stringify(retryDefaults)}::jsonb || coalesce(data -> 'retryPolicy', '{}'::jsonb))`.execute(
    db,
  );
}
