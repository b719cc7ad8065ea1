/**
 * The record of an accepted call as the reference servers keep it (bench/servers/record-floor.ts
 * and cps-floor.ts): the least a design can do per accepted call and still keep the record the
 * contract asks of it, on pconn's own store (the embedded one as it runs — PGlite on its own
 * thread, pconn's prepared statements — or BENCH_DATABASE_URL's PostgreSQL) and pconn's migrated
 * tables with all their indexes. Per request: the reads the checks need (the Idempotency-Key, the
 * contact, the contact's counted attempts, its number on the DNC list, the campaign) and the rows
 * an accepted call leaves — the call, its first timeline entry (the call as presented and its
 * decision, which webhooks, SSE and the timeline serve), the key's answer, and an audit entry
 * chained by hash, computed here from a head kept in memory (cheaper than any chain a store
 * shared by nodes allows) — all in ONE statement per batch, as a design deciding in SQL would,
 * several batches in flight so the store never waits for the node. No auth, validation, decision
 * or presentation by pconn's code.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RawBuilder, sql } from 'kysely';
import pino from 'pino';
import { loadConfig } from '../../src/config.ts';
import { newId } from '../../src/domain/ids.ts';
import { countedAttempts } from '../../src/store/calls/counted-attempts.ts';
import type { Db } from '../../src/store/database.ts';
import { StoreMaintenance } from '../../src/store/maintenance.ts';
import { openStore } from '../../src/store/open-store.ts';

export const FLOOR_CONTACTS = 5000;

/** What the record keeps, and how it is written. */
export interface FloorRecordOptions {
  /** 4: call, first entry, key answer, audit entry; 3 leaves the key's answer out; 2 the first entry too (its document on the call row). */
  rows: number;
  /** False: the checks' reads in a statement of their own before the write. */
  oneStatement: boolean;
  /** Batches in flight at once. */
  inFlight: number;
  /**
   * The call is dialled as soon as it is accepted (cps-floor.ts): it is written already in
   * `dialing_user` with its first attempt (the agent's leg, committed before its INVITE) and
   * that step's timeline entry, in the same statement.
   */
  dialing?: { userId: (contactId: string) => string };
}

/** An accepted call: its id and the 202's body. */
export interface FloorAccepted {
  id: string;
  body: string;
  /** The agent its first attempt rings (FloorRecordOptions.dialing), else null. */
  userId: string | null;
}

/** The reference servers' store: the embedded one on its thread, or BENCH_DATABASE_URL's. */
export async function openFloorStore(): Promise<{ db: Db; close: () => Promise<void> }> {
  const url = process.env.BENCH_DATABASE_URL;
  const dataDir = url ? undefined : await mkdtemp(join(tmpdir(), 'pconn-floor-'));
  const store = url
    ? await openStore({ kind: 'postgres', url })
    : await openStore({
        kind: 'pglite',
        ...(dataDir ? { dataDir } : {}),
        // BENCH_SQL_PROFILE: the store's thread times its statements, as in the pconn measures.
        ...(process.env.BENCH_SQL_PROFILE
          ? { threadEntry: new URL('./profiled-store-thread.ts', import.meta.url) }
          : {}),
      });
  await seed(store.db);
  // The upkeep pconn runs on its store (main.ts), with the same settings: without it the
  // planner keeps the seed's statistics while the floor's tables grow.
  const maintenance = new StoreMaintenance(store.db, pino({ level: 'warn' }), {
    checkEveryMs: 2000,
    vacuumEveryMs: url ? Number.POSITIVE_INFINITY : loadConfig().storeVacuumSeconds * 1000,
  });
  maintenance.start();
  return {
    db: store.db,
    close: async () => {
      await maintenance.stop();
      await store.close();
      if (dataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** A tenant, a running campaign, FLOOR_CONTACTS contacts and two earlier calls each (with their attempt), analyzed. */
async function seed(db: Db): Promise<void> {
  await sql`insert into tenants (id, name) values ('a', 'A')`.execute(db);
  const agentIds = Array.from({ length: 60 }, (_, i) => `agent-${i}`);
  await sql`insert into campaigns (tenant_id, id, data)
    values ('a', 'bench', ${JSON.stringify({ id: 'bench', name: 'Bench', status: 'running', callerId: null, agentIds, jurisdiction: 'us_fcc', maxAttemptsPerContact: 50 })}::jsonb)`.execute(
    db,
  );
  await sql`insert into contacts (tenant_id, id, external_id, data)
    select 'a', 'ct-' || g, 'bench-' || g, jsonb_build_object('id', 'ct-' || g, 'externalId', 'bench-' || g,
      'timezone', 'UTC', 'phoneNumbers', jsonb_build_array(jsonb_build_object('phoneType', 'mobile', 'number', '+12125550120')))
    from generate_series(0, ${FLOOR_CONTACTS - 1}) g`.execute(db);
  // A history of two earlier calls per contact, analyzed: the statistics of a store in use
  // (pconn's maintenance re-analyzes a table each time it doubles), so plans probe indexes, as
  // pconn's do.
  await sql`insert into calls (tenant_id, id, kind, campaign_id, contact_id, to_number, status, outside_window,
      next_attempt_at, created_at, updated_at)
    select 'a', 'old-' || g, 'campaign', 'bench', 'ct-' || (g % ${FLOOR_CONTACTS}), '+12125550120', 'completed', 'reject',
      now(), now(), now()
    from generate_series(0, ${2 * FLOOR_CONTACTS - 1}) g`.execute(db);
  await sql`insert into call_attempts (tenant_id, call_id, n, user_id, started_at, ended_at, outcome, decision, driver)
    select 'a', 'old-' || g, 1, 'agent0', now(), now(), 'answered', '{}', 'sip'
    from generate_series(0, ${2 * FLOOR_CONTACTS - 1}) g`.execute(db);
  await sql`analyze`.execute(db);
}

/** A decision as pconn records it (~700 bytes of JSON), the same for every call here. */
const DECISION = {
  zone: { zones: ['UTC'], source: 'contact' },
  rules: [
    { rule: 'dnc', detail: 'Not on the do-not-call list.', result: 'pass' },
    { rule: 'consent', detail: 'No consent record; none required.', result: 'pass' },
    { rule: 'attempt_cap', detail: '0 of 50 attempts made.', result: 'pass' },
    { rule: 'redial_gap', detail: 'The minimum redial gap has passed.', result: 'pass' },
    {
      rule: 'calling_window',
      detail: 'Inside the calling window 00:00–00:00 in UTC (zone from contact).',
      result: 'pass',
    },
    { rule: 'agents', detail: '60 active agents can take the call.', result: 'pass' },
  ],
  outcome: 'allowed',
};

interface Request {
  key: string;
  contactId: string;
  done: (accepted: FloorAccepted) => void;
  failed: (error: unknown) => void;
}

/** The checks' reads for the batch's requests, as a CTE body over `r` (the batch's rows). */
const READS = sql`
    select r.id, ik.outcome, ct.data, st.attempts, st.last_ended_at,
      exists (select 1 from dnc_numbers d where d.tenant_id = 'a'
        and d.number = ct.data->'phoneNumbers'->0->>'number') as on_dnc,
      (select data from campaigns where tenant_id = 'a' and id = 'bench') is not null as campaign
    from r
    left join lateral (select outcome from idempotency_keys where tenant_id = 'a' and key = r.key limit 1) ik on true
    left join lateral (select data from contacts where tenant_id = 'a' and id = r.contact_id limit 1) ct on true
    left join lateral ${countedAttempts(sql.lit('a'), sql.lit('bench'), sql.ref('r.contact_id'))} st on true`;

/** The batch's rows as the CTE `r`. */
const rowsCte = (items: string) => sql`
    r as materialized (
      select * from jsonb_to_recordset(${items}::jsonb)
        as r(id text, contact_id text, user_id text, at timestamptz, key text, outcome jsonb, data jsonb, audit jsonb)
    )`;

/** Group commit of accepted calls' records: `accept` resolves once its call's record is durable. */
export class FloorRecord {
  private waiting: Request[] = [];
  private inFlight = 0;
  /** Set by close: no batch starts after it. */
  private closing = false;
  /** Told when the last batch in flight has committed, once closing. */
  private drained: (() => void) | undefined;
  private head = { sequence: 0, hash: '0'.repeat(64) };
  private readonly chain = `floor-${process.pid}`;
  private requests = 0;

  constructor(
    private readonly db: Db,
    private readonly options: FloorRecordOptions,
  ) {}

  /**
   * Records an accepted call for the next contact (taken in turn, as the pconn measures'
   * requests take theirs, each with a key of its own).
   */
  accept(): Promise<FloorAccepted> {
    return new Promise((done, failed) => {
      const n = this.requests++ % FLOOR_CONTACTS;
      this.waiting.push({
        key: `k-${process.pid}-${n}-${this.requests}`,
        contactId: `ct-${n}`,
        done,
        failed,
      });
      setImmediate(() => void this.commitWaiting());
    });
  }

  /** Stops taking batches and lets those in flight commit (the bench's end). */
  async close(): Promise<void> {
    this.closing = true;
    if (this.inFlight > 0) await new Promise<void>((resolve) => (this.drained = resolve));
  }

  private async commitWaiting(): Promise<void> {
    if (this.closing || this.inFlight >= this.options.inFlight || this.waiting.length === 0) return;
    this.inFlight += 1;
    const batch = this.waiting;
    this.waiting = [];
    try {
      const now = new Date();
      // The rows are made before the reads here (their ids and hashes need nothing read), so
      // both statements take the same parameter.
      const made = batch.map((request) => this.rowsOf(request, now));
      const items = JSON.stringify(made.map((m) => m.row));
      if (!this.options.oneStatement) await sql`with ${rowsCte(items)} ${READS}`.execute(this.db);
      await this.write(items);
      for (const [i, request] of batch.entries()) {
        const m = made[i];
        if (m) request.done({ id: m.row.id, body: m.body, userId: m.row.user_id });
      }
    } catch (error) {
      for (const request of batch) request.failed(error);
    } finally {
      this.inFlight -= 1;
      if (this.inFlight === 0) this.drained?.();
      if (this.waiting.length > 0) setImmediate(() => void this.commitWaiting());
    }
  }

  private rowsOf(request: Request, now: Date) {
    const id = newId('call');
    const at = now.toISOString();
    const call = {
      id,
      kind: 'campaign',
      campaignId: 'bench',
      contactId: request.contactId,
      userId: null,
      to: '+12125550120',
      phoneType: 'mobile',
      callerId: '+14155550100',
      status: 'queued',
      outcome: null,
      disposition: null,
      reason: 'bench',
      metadata: {},
      sandbox: true,
      attempts: [],
      createdAt: at,
      updatedAt: at,
      scheduledFor: null,
      links: { self: `/v1/calls/${id}`, events: `/v1/calls/${id}/events` },
    };
    const body = JSON.stringify(call);
    const requestId = newId('event');
    const head = this.head;
    const audit = {
      sequence: head.sequence + 1,
      request_id: requestId,
      client_id: 'bench',
      method: 'POST',
      route: '/v1/campaigns/:id/calls',
      path: '/v1/campaigns/bench/calls',
      status: 202,
      duration_ms: 1.5,
      ip: '127.0.0.1',
      user_agent: 'autocannon',
      body_digest: `sha256:${createHash('sha256').update(request.contactId).digest('hex')}`,
      body: { contactId: request.contactId, reason: 'bench' },
      at,
      prev_hash: head.hash,
      hash: '',
    };
    audit.hash = createHash('sha256')
      .update(`${head.hash}\n${JSON.stringify(audit)}`)
      .digest('hex');
    this.head = { sequence: audit.sequence, hash: audit.hash };
    return {
      body,
      row: {
        id,
        contact_id: request.contactId,
        user_id: this.options.dialing?.userId(request.contactId) ?? null,
        at,
        key: request.key,
        outcome: { kind: 'accepted', call },
        data: {
          call,
          decision: { ...DECISION, evaluatedAt: at, nextAllowedAt: at },
          requestId,
          campaignStatus: 'running',
        },
        audit,
      },
    };
  }

  private async write(items: string): Promise<void> {
    await this.writeStatement(items).execute(this.db);
  }

  /** The batch's one statement: its reads and every row it writes (`items`: the rows as JSON). */
  private writeStatement(items: string): RawBuilder<unknown> {
    const withKeys = this.options.rows >= 4;
    const withEvents = this.options.rows >= 3;
    const dialing = this.options.dialing !== undefined;
    return sql`
      with ${rowsCte(items)},
      facts as materialized (${this.options.oneStatement ? READS : sql`select 1 where false`}),
      keys as (
        insert into idempotency_keys (tenant_id, key, fingerprint, outcome, created_at, expires_at)
        select 'a', key, 'f', outcome, at, at + interval '1 day' from r where ${withKeys}
      ),
      calls as (
        insert into calls (tenant_id, id, kind, campaign_id, contact_id, to_number, phone_type, caller_id,
          status, reason, outside_window, next_attempt_at, sandbox, event_sequence, created_at, updated_at,
          decision, user_id, attempts_made)
        select 'a', id, 'campaign', 'bench', contact_id, '+12125550120', 'mobile', '+14155550100',
          case when ${dialing} then 'dialing_user' else 'queued' end, 'bench', 'reject', at, true,
          case when ${dialing} then 2 else 1 end, at, at,
          -- Two rows: the first entry's document (the decision and the call as created) rides on
          -- the call row, where a design deriving the first entry from the call would keep it.
          case when ${!withEvents} then data end,
          user_id, case when ${dialing} then 1 else 0 end
        from r
      ),
      events as (
        insert into call_events (tenant_id, call_id, campaign_id, sequence, type, at, data)
        select 'a', id, 'bench', 1, 'call.queued', at, data from r where ${withEvents}
        union all
        select 'a', id, 'bench', 2, 'call.dialing_user', at,
          jsonb_build_object('status', 'dialing_user', 'attempt', 1, 'userId', user_id)
        from r where ${dialing}
      ),
      attempts as (
        insert into call_attempts (tenant_id, call_id, n, user_id, started_at, decision, driver)
        select 'a', id, 1, user_id, at, '{"outcome":"allowed"}'::jsonb, 'sip' from r where ${dialing}
      ),
      audit as (
        insert into audit_events (chain, sequence, tenant_id, request_id, client_id, method, route, path,
          status, duration_ms, ip, user_agent, body_digest, body, at, prev_hash, hash)
        select ${this.chain}, (a->>'sequence')::bigint, 'a', a->>'request_id', a->>'client_id', a->>'method',
          a->>'route', a->>'path', (a->>'status')::int, (a->>'duration_ms')::float8, a->>'ip',
          a->>'user_agent', a->>'body_digest', a->'body', at, a->>'prev_hash', a->>'hash'
        from r, lateral (select r.audit as a) x
      )
      select (select count(*) from facts) as read`;
  }
}
