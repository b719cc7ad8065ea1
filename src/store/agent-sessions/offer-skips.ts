import { sql } from 'kysely';
import type { Executor } from '../database.ts';

/** Keeps a skipped call away from the session that skipped it until `until` (a later skip extends it). */
export async function holdSkippedCall(
  tx: Executor,
  skip: { tenantId: string; callId: string; sessionId: string; until: Date },
): Promise<void> {
  await sql`insert into call_offer_skips (tenant_id, call_id, session_id, until)
    values (${skip.tenantId}, ${skip.callId}, ${skip.sessionId}, ${skip.until})
    on conflict (tenant_id, call_id, session_id) do update set until = excluded.until`.execute(tx);
}
