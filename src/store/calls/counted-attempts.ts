import { type RawBuilder, sql } from 'kysely';

/**
 * A LATERAL subquery `(attempts, last_ended_at)` over the attempts that count against a
 * contact's cap in a campaign — every attempt but agent_no_answer (the contact was never rung)
 * — given SQL expressions for the tenant, campaign and contact. One rule for the batched accept
 * read and the dialer's pre-dial read (contactAttemptStats is the same rule as a query).
 *
 * Written as the contact's calls (calls_contact index) with a LATERAL probe of each call's
 * attempts, so the plan cannot start from the tenant's whole attempt table: PGlite has no
 * autovacuum, so its statistics can say `call_attempts` is empty long after it is not, and the
 * planner then chose exactly that scan (measured 1.3 ms at 60 attempts, growing with every call).
 */
export function countedAttempts(
  tenant: RawBuilder<unknown>,
  campaign: RawBuilder<unknown>,
  contact: RawBuilder<unknown>,
): RawBuilder<unknown> {
  return sql`(
      select count(a.n) as attempts, max(a.ended_at) as last_ended_at
      from calls x
      cross join lateral (
        select n, ended_at from call_attempts
        where tenant_id = x.tenant_id and call_id = x.id
          and (outcome is null or outcome <> 'agent_no_answer')
      ) a
      where x.tenant_id = ${tenant} and x.campaign_id = ${campaign} and x.contact_id = ${contact}
    )`;
}
