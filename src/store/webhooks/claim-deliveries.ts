import { sql } from 'kysely';
import type { Db } from '../database.ts';

/** A claimed delivery with what sending it needs: the event and the endpoint document. */
export interface ClaimedDelivery {
  id: number;
  tenantId: string;
  endpointId: string;
  attempts: number;
  retryBase: number;
  event: {
    id: number;
    type: string;
    at: Date;
    sequence: number;
    data: Record<string, unknown>;
  };
  endpoint: {
    url: string;
    secret: string;
    previousSecret: string | null;
    previousSecretUntil: string | null;
  };
}

interface Row {
  id: string | number;
  tenant_id: string;
  endpoint_id: string;
  attempts: number;
  retry_base: number;
  event_id: string | number;
  type: string;
  at: Date | string;
  sequence: number;
  data: Record<string, unknown>;
  endpoint: ClaimedDelivery['endpoint'];
}

/**
 * Claims due deliveries for one relay with a lease, FOR UPDATE SKIP LOCKED so relays on other
 * nodes take disjoint rows, and returns them as chains. A chain starts at a delivery whose
 * endpoint is enabled and that no earlier pending event of the same subject (call, campaign)
 * waits before — leased or not — and goes on with that subject's next pending deliveries, up
 * to `chainLength`: the relay sends a chain's events one after the other, each only after the
 * previous one was answered 2xx, which keeps per-endpoint order without a database round trip
 * between a call's events. Chains never overlap: each belongs to one head, and heads are locked.
 */
export async function claimDeliveries(
  db: Db,
  owner: string,
  limit: number,
  chainLength: number,
  leaseMs: number,
  /** The relay's clock: what is due and when the lease ends are decided against it. */
  now: Date,
): Promise<ClaimedDelivery[][]> {
  const result = await sql<Row & { head_id: string | number }>`
    with firsts as (
      -- The first pending delivery of every (endpoint, subject): one ordered pass over the
      -- pending index. (A NOT EXISTS per candidate cost ~35 ms a claim with a 1,000-row backlog.)
      select distinct on (tenant_id, endpoint_id, subject) id, next_attempt_at, leased_until
      from webhook_deliveries
      where status = 'pending'
      order by tenant_id, endpoint_id, subject, sequence
    ),
    heads as (
      select d.id, d.tenant_id, d.endpoint_id, d.subject, d.sequence
      from webhook_deliveries d
      join webhook_endpoints w on w.tenant_id = d.tenant_id and w.id = d.endpoint_id
      where d.id in (
          select id from firsts
          where next_attempt_at <= ${now}::timestamptz
            and (leased_until is null or leased_until < ${now}::timestamptz))
        and d.status = 'pending' and d.next_attempt_at <= ${now}::timestamptz
        and (d.leased_until is null or d.leased_until < ${now}::timestamptz)
        and w.data->>'enabled' = 'true'
      order by d.next_attempt_at, d.id
      limit ${limit}
      for update of d skip locked
    ),
    members as (
      select h.id as head_id, f.id
      from heads h
      cross join lateral (
        select f.id from webhook_deliveries f
        where f.tenant_id = h.tenant_id and f.endpoint_id = h.endpoint_id and f.subject = h.subject
          and f.status = 'pending' and f.sequence >= h.sequence
          and (f.id = h.id or f.leased_until is null or f.leased_until < ${now}::timestamptz)
        order by f.sequence
        limit ${chainLength}
      ) f
    ),
    claimed as (
      update webhook_deliveries set lease_owner = ${owner},
        leased_until = ${now}::timestamptz + make_interval(secs => ${leaseMs / 1000})
      where id in (select id from members)
      returning id, tenant_id, endpoint_id, attempts, retry_base, event_id
    )
    select m.head_id, c.id, c.tenant_id, c.endpoint_id, c.attempts, c.retry_base, c.event_id,
      e.type, e.at, e.sequence, e.data, w.data as endpoint
    from claimed c
    join members m on m.id = c.id
    join call_events e on e.id = c.event_id
    join webhook_endpoints w on w.tenant_id = c.tenant_id and w.id = c.endpoint_id
    order by m.head_id, e.sequence`.execute(db);
  const chains = new Map<number, ClaimedDelivery[]>();
  for (const row of result.rows) {
    const head = Number(row.head_id);
    const chain = chains.get(head) ?? [];
    chain.push({
      id: Number(row.id),
      tenantId: row.tenant_id,
      endpointId: row.endpoint_id,
      attempts: row.attempts,
      retryBase: row.retry_base,
      event: {
        id: Number(row.event_id),
        type: row.type,
        at: new Date(row.at),
        sequence: row.sequence,
        data: row.data,
      },
      endpoint: row.endpoint,
    });
    chains.set(head, chain);
  }
  return [...chains.values()];
}
