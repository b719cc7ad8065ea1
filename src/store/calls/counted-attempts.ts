import { type RawBuilder, sql } from 'kysely';

/**
 * A LATERAL subquery `(attempts, last_ended_at)` over the attempts that count against a
 * contact's cap in a campaign — every attempt but agent_no_answer (the contact was never rung)
 * — given SQL expressions for the tenant, campaign and contact. One rule for the batched accept
 * read and the dialer's pre-dial read (contactAttemptStats is the same rule as a query).
 */
export function countedAttempts(
  tenant: RawBuilder<unknown>,
  campaign: RawBuilder<unknown>,
  contact: RawBuilder<unknown>,
): RawBuilder<unknown> {
  return sql`(
      select count(a.n) as attempts, max(a.ended_at) as last_ended_at
      from call_attempts a join calls x on x.tenant_id = a.tenant_id and x.id = a.call_id
      where a.tenant_id = ${tenant} and x.campaign_id = ${campaign} and x.contact_id = ${contact}
        and (a.outcome is null or a.outcome <> 'agent_no_answer')
    )`;
}
