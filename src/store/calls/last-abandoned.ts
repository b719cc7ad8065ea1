import { sql } from 'kysely';
import type { Executor } from '../database.ts';

/**
 * When the number's latest abandoned attempt in the tenant ended (any campaign), or null: UK
 * Ofcom forbids calling it again within 72 h without an agent reserved.
 */
export async function lastAbandonedAt(
  db: Executor,
  tenantId: string,
  toNumber: string,
): Promise<Date | null> {
  const result = await sql<{ at: Date | string | null }>`
    select max(coalesce(a.contact_answered_at, a.ended_at)) as at from calls c
    join call_attempts a on a.tenant_id = c.tenant_id and a.call_id = c.id
    where c.tenant_id = ${tenantId} and c.to_number = ${toNumber} and a.outcome = 'abandoned'`.execute(db);
  const at = result.rows[0]?.at ?? null;
  return at === null ? null : new Date(at);
}
