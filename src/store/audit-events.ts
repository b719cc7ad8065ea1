import { sql } from 'kysely';
import {
  type AuditChainFields,
  auditEntryTextAroundSequence,
  GENESIS_HASH,
} from '../contract/audit-chain.ts';
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

/** The chain of requests no tenant was known for (no usable token): readable with `system`. */
export const UNAUTHENTICATED_CHAIN = '-';

/** The chain an entry belongs to: its tenant's, or `-` for requests no tenant was known for. */
export function chainOf(tenantId: string | null): string {
  return tenantId ?? UNAUTHENTICATED_CHAIN;
}

/** Chains whose head row is known to exist, per store (heads are never deleted). */
const knownChains = new WeakMap<Db, Set<string>>();

/**
 * Appends a batch of entries to their chains in ONE statement: it locks the chain heads (in
 * chain order, so two nodes never deadlock), numbers and hashes the entries in SQL from the
 * locked heads (a recursive CTE; the text hashed is exactly `auditEntryHash`'s, assembled
 * around the sequence), inserts them and moves the heads. A statement is atomic on its own, so
 * there is no BEGIN/COMMIT; the heads stay locked only for that statement and its commit. (It
 * was a transaction of five statements with the heads locked across the round trips, and with
 * two nodes on one PostgreSQL a quarter of a backend on average waited on that lock.)
 * A chain's first entry creates its head first, in a statement of its own.
 */
export async function appendAuditEvents(db: Db, events: readonly NewAuditEvent[]): Promise<void> {
  if (events.length === 0) return;
  const chains = [...new Set(events.map((e) => chainOf(e.tenantId)))].sort();
  await ensureChainHeads(db, chains);
  const positions = new Map<string, number>();
  const items = events.map((event) => {
    const chain = chainOf(event.tenantId);
    const n = (positions.get(chain) ?? 0) + 1;
    positions.set(chain, n);
    const { prefix, suffix } = auditEntryTextAroundSequence({ ...event, chain });
    return {
      chain,
      n,
      prefix,
      suffix,
      tenant_id: event.tenantId,
      request_id: event.requestId,
      client_request_id: event.clientRequestId ?? null,
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
      body: event.body ?? null,
      problem: event.problem ?? null,
      at: event.at,
    };
  });
  const result = await sql<{ appended: number | string }>`
    with recursive entries as (
      select * from jsonb_to_recordset(${JSON.stringify(items)}::jsonb) as e(
        chain text, n int, prefix text, suffix text, tenant_id text, request_id text,
        client_request_id text, client_id text, method text, route text, path text, status int, code text,
        duration_ms float8, ip text, user_agent text, body_digest text, body jsonb,
        problem jsonb, at timestamptz)
    ),
    heads as (
      select chain, sequence, hash from audit_chain_heads
      where chain = any(${chains}::text[])
      order by chain
      for update
    ),
    chained as (
      select h.chain, 0 as n, h.sequence, h.hash, null::text as prev_hash from heads h
      union all
      select c.chain, c.n + 1, c.sequence + 1,
        encode(sha256(convert_to(c.hash || E'\n' || e.prefix || (c.sequence + 1)::text || e.suffix, 'UTF8')), 'hex'),
        c.hash
      from chained c
      join entries e on e.chain = c.chain and e.n = c.n + 1
    ),
    appended as (
      insert into audit_events (chain, sequence, tenant_id, request_id, client_request_id, client_id,
        method, route, path, status, code, duration_ms, ip, user_agent, body_digest, body, problem,
        at, prev_hash, hash)
      select e.chain, c.sequence, e.tenant_id, e.request_id, e.client_request_id, e.client_id,
        e.method, e.route,
        e.path, e.status, e.code, e.duration_ms, e.ip, e.user_agent, e.body_digest, e.body,
        e.problem, e.at, c.prev_hash, c.hash
      from entries e
      join chained c on c.chain = e.chain and c.n = e.n
      returning 1
    ),
    moved as (
      update audit_chain_heads h set sequence = t.sequence, hash = t.hash
      from (select distinct on (chain) chain, n, sequence, hash from chained order by chain, n desc) t
      where h.chain = t.chain and t.n > 0
      returning 1
    )
    select (select count(*) from appended) as appended`.execute(db);
  const appended = Number(result.rows[0]?.appended ?? 0);
  if (appended !== events.length) {
    // Only possible if a head vanished behind our back: forget what we knew and fail the batch
    // (the writer retries entry by entry, which recreates the heads).
    knownChains.delete(db);
    throw new Error(`audit append wrote ${appended} of ${events.length} entries`);
  }
}

/** Creates the heads of chains not seen before (at GENESIS_HASH, sequence 0). */
async function ensureChainHeads(db: Db, chains: readonly string[]): Promise<void> {
  let known = knownChains.get(db);
  if (!known) {
    known = new Set();
    knownChains.set(db, known);
  }
  const missing = chains.filter((chain) => !known.has(chain));
  if (missing.length === 0) return;
  await db
    .insertInto('audit_chain_heads')
    .values(missing.map((chain) => ({ chain, sequence: 0, hash: GENESIS_HASH })))
    .onConflict((oc) => oc.column('chain').doNothing())
    .execute();
  for (const chain of missing) known.add(chain);
}

/** Filters for listing one chain's audit entries. */
export interface AuditQuery {
  requestId?: string;
  clientRequestId?: string;
  status?: number;
  code?: string;
  from?: Date;
  to?: Date;
  afterSequence?: number;
  limit: number;
}

/** One chain's audit entries (a tenant's, or UNAUTHENTICATED_CHAIN) in chain order, filtered. */
export async function listAuditEvents(
  db: Executor,
  chain: string,
  query: AuditQuery,
): Promise<AuditEventRow[]> {
  let q = db
    .selectFrom('audit_events')
    .selectAll()
    .where('chain', '=', chain)
    .orderBy('sequence')
    .limit(query.limit);
  if (query.requestId !== undefined) q = q.where('request_id', '=', query.requestId);
  if (query.clientRequestId !== undefined) q = q.where('client_request_id', '=', query.clientRequestId);
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
    clientRequestId: row.client_request_id,
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

/** The head of a chain (for verifying that no tail entries were deleted). */
export async function findChainHead(
  db: Executor,
  chain: string,
): Promise<{ sequence: number; hash: string } | undefined> {
  const row = await db
    .selectFrom('audit_chain_heads')
    .selectAll()
    .where('chain', '=', chain)
    .executeTakeFirst();
  return row && { sequence: Number(row.sequence), hash: row.hash };
}
