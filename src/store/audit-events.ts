import { sql } from 'kysely';
import { type AuditChainFields, auditEntryHash, GENESIS_HASH } from '../contract/audit-chain.ts';
import type { Db, Executor } from './database.ts';

/** An audit entry ready to be chained and stored. */
export interface NewAuditEvent extends Omit<AuditChainFields, 'chain' | 'sequence'> {
  ip: string | null;
  userAgent: string | null;
  problem: unknown;
}

/** A stored audit entry. */
export interface AuditEventRow extends AuditChainFields {
  ip: string | null;
  userAgent: string | null;
  problem: unknown;
  prevHash: string;
  hash: string;
}

/** The chain an entry belongs to: its tenant's, or `-` for requests no tenant was known for. */
export function chainOf(tenantId: string | null): string {
  return tenantId ?? '-';
}

/**
 * Appends a batch of entries to their chains in one transaction of two statements. The first
 * creates missing chain heads and locks every head of the batch (an upsert takes the row lock
 * like FOR UPDATE, in chain order so two nodes never deadlock), so concurrent writers on other
 * nodes extend each chain strictly in turn; the second inserts the entries and moves the heads.
 * (It was five statements: each round trip to PostgreSQL costs the node a socket write, and
 * under two nodes the audit commit is on every request's path.)
 */
export async function appendAuditEvents(db: Db, events: readonly NewAuditEvent[]): Promise<void> {
  if (events.length === 0) return;
  await db.transaction().execute(async (tx) => {
    const chains = [...new Set(events.map((e) => chainOf(e.tenantId)))].sort();
    const locked = await sql<{ chain: string; sequence: number | string; hash: string }>`
      insert into audit_chain_heads (chain, sequence, hash)
      select chain, 0, ${GENESIS_HASH} from unnest(${chains}::text[]) as c(chain) order by chain
      on conflict (chain) do update set chain = excluded.chain
      returning chain, sequence, hash`.execute(tx);
    const head = new Map(locked.rows.map((h) => [h.chain, { sequence: Number(h.sequence), hash: h.hash }]));
    const rows = events.map((event) => {
      const chain = chainOf(event.tenantId);
      const previous = head.get(chain) ?? { sequence: 0, hash: GENESIS_HASH };
      const fields: AuditChainFields = { ...event, chain, sequence: previous.sequence + 1 };
      const hash = auditEntryHash(previous.hash, fields);
      head.set(chain, { sequence: fields.sequence, hash });
      return {
        chain,
        sequence: fields.sequence,
        tenant_id: event.tenantId,
        request_id: event.requestId,
        client_id: event.clientId,
        method: event.method,
        route: event.route,
        path: event.path,
        status: event.status,
        code: event.code,
        duration_ms: event.durationMs,
        ip: event.ip,
        user_agent: event.userAgent,
        body_digest: event.bodyDigest,
        body: JSON.stringify(event.body ?? null),
        problem: JSON.stringify(event.problem ?? null),
        at: new Date(event.at),
        prev_hash: previous.hash,
        hash,
      };
    });
    const heads = [...head];
    await sql`
      with appended as (${tx.insertInto('audit_events').values(rows)})
      update audit_chain_heads h set sequence = v.sequence, hash = v.hash
      from unnest(
        ${heads.map(([chain]) => chain)}::text[],
        ${heads.map(([, h]) => h.sequence)}::bigint[],
        ${heads.map(([, h]) => h.hash)}::text[]
      ) as v(chain, sequence, hash)
      where h.chain = v.chain`.execute(tx);
  });
}

/** Filters for listing a tenant's audit entries. */
export interface AuditQuery {
  requestId?: string;
  status?: number;
  code?: string;
  from?: Date;
  to?: Date;
  afterSequence?: number;
  limit: number;
}

/** A tenant's audit entries in chain order, filtered. */
export async function listAuditEvents(
  db: Executor,
  tenantId: string,
  query: AuditQuery,
): Promise<AuditEventRow[]> {
  let q = db
    .selectFrom('audit_events')
    .selectAll()
    .where('chain', '=', chainOf(tenantId))
    .orderBy('sequence')
    .limit(query.limit);
  if (query.requestId !== undefined) q = q.where('request_id', '=', query.requestId);
  if (query.status !== undefined) q = q.where('status', '=', query.status);
  if (query.code !== undefined) q = q.where('code', '=', query.code);
  if (query.from !== undefined) q = q.where('at', '>=', query.from);
  if (query.to !== undefined) q = q.where('at', '<', query.to);
  if (query.afterSequence !== undefined) q = q.where('sequence', '>', query.afterSequence);
  const rows = await q.execute();
  return rows.map((row) => ({
    chain: row.chain,
    sequence: Number(row.sequence),
    tenantId: row.tenant_id,
    requestId: row.request_id,
    clientId: row.client_id,
    method: row.method,
    route: row.route,
    path: row.path,
    status: row.status,
    code: row.code,
    durationMs: row.duration_ms,
    ip: row.ip,
    userAgent: row.user_agent,
    bodyDigest: row.body_digest,
    body: row.body,
    problem: row.problem,
    at: row.at.toISOString(),
    prevHash: row.prev_hash,
    hash: row.hash,
  }));
}

/** The head of a tenant's chain (for verifying that no tail entries were deleted). */
export async function findChainHead(
  db: Executor,
  tenantId: string,
): Promise<{ sequence: number; hash: string } | undefined> {
  const row = await db
    .selectFrom('audit_chain_heads')
    .selectAll()
    .where('chain', '=', chainOf(tenantId))
    .executeTakeFirst();
  return row && { sequence: Number(row.sequence), hash: row.hash };
}
