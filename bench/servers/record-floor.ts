/**
 * The reference server of accept_record_floor: the least a design can do per accepted call and
 * still keep the record the contract asks of it, on pconn's embedded store as it runs (PGlite on
 * its own thread, pconn's prepared statements, the migrated tables with their indexes). Per
 * request: the reads the checks need (the Idempotency-Key, the contact, the contact's counted
 * attempts, its number on the DNC list, the campaign) and the rows an accepted call leaves — the
 * call, its first timeline entry (the call as presented and its decision, which webhooks, SSE
 * and the timeline serve), the key's answer, and an audit entry chained by hash, computed here
 * from a head kept in memory (cheaper than any chain a store shared by nodes allows) — all in
 * ONE statement per batch, as a design deciding in SQL would, two batches in flight so the store
 * never waits for this thread. No auth, validation, decision or presentation by pconn's code.
 * BENCH_RECORD_FLOOR_ROWS=3 leaves the key's answer out, =2 the first entry too (its document on
 * the call row): lighter designs' floors. BENCH_FLOOR_IN_FLIGHT and BENCH_FLOOR_ONE_STATEMENT=0
 * (the reads in a statement of their own) show what the batching is worth. With
 * BENCH_DATABASE_URL the same record goes to that PostgreSQL instead (accept_record_floor_pg).
 */
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { newId } from '../../src/domain/ids.ts';
import { countedAttempts } from '../../src/store/calls/counted-attempts.ts';
import { openStore } from '../../src/store/open-store.ts';
import { serveReferenceRoute } from '../support/reference-route.ts';

const CONTACTS = 5000;
const IN_FLIGHT = Number(process.env.BENCH_FLOOR_IN_FLIGHT ?? 2);
const oneStatement = process.env.BENCH_FLOOR_ONE_STATEMENT !== '0';
const rowCount = Number(process.env.BENCH_RECORD_FLOOR_ROWS ?? 4);
const withKeys = rowCount >= 4;
const withEvents = rowCount >= 3;
const url = process.env.BENCH_DATABASE_URL;
const dataDir = url ? undefined : await mkdtemp(join(tmpdir(), 'pconn-record-floor-'));
const store = url
  ? await openStore({ kind: 'postgres', url })
  : await openStore({
      kind: 'pglite',
      ...(dataDir ? { dataDir } : {}),
      // BENCH_SQL_PROFILE: the store's thread times its statements, as in the pconn measures.
      ...(process.env.BENCH_SQL_PROFILE
        ? { threadEntry: new URL('../support/profiled-store-thread.ts', import.meta.url) }
        : {}),
    });
const db = store.db;

await sql`insert into tenants (id, name) values ('a', 'A')`.execute(db);
const agentIds = Array.from({ length: 60 }, (_, i) => `agent-${i}`);
await sql`insert into campaigns (tenant_id, id, data)
  values ('a', 'bench', ${JSON.stringify({ id: 'bench', name: 'Bench', status: 'running', callerId: null, agentIds, jurisdiction: 'us_fcc', maxAttemptsPerContact: 50 })}::jsonb)`.execute(
  db,
);
await sql`insert into contacts (tenant_id, id, external_id, data)
  select 'a', 'ct-' || g, 'bench-' || g, jsonb_build_object('id', 'ct-' || g, 'externalId', 'bench-' || g,
    'timezone', 'UTC', 'phoneNumbers', jsonb_build_array(jsonb_build_object('phoneType', 'mobile', 'number', '+12125550120')))
  from generate_series(0, ${CONTACTS - 1}) g`.execute(db);
// A history of two earlier calls per contact, analyzed: the statistics of a store in use (pconn's
// maintenance re-analyzes a table each time it doubles), so plans probe indexes, as pconn's do.
await sql`insert into calls (tenant_id, id, kind, campaign_id, contact_id, to_number, status, outside_window,
    next_attempt_at, created_at, updated_at)
  select 'a', 'old-' || g, 'campaign', 'bench', 'ct-' || (g % ${CONTACTS}), '+12125550120', 'completed', 'reject',
    now(), now(), now()
  from generate_series(0, ${2 * CONTACTS - 1}) g`.execute(db);
await sql`analyze`.execute(db);

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
  done: (body: string) => void;
}

let head = { sequence: 0, hash: '0'.repeat(64) };
const chain = `floor-${process.pid}`;

function rowsOf(request: Request, now: Date) {
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
  head = { sequence: audit.sequence, hash: audit.hash };
  return {
    body,
    row: {
      id,
      contact_id: request.contactId,
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
        as r(id text, contact_id text, at timestamptz, key text, outcome jsonb, data jsonb, audit jsonb)
    )`;

/**
 * The reads, in a statement of their own (a design that decides between reading and writing) or
 * not at all here (`oneStatement`: they ride in the write statement, as a design deciding in SQL).
 */
async function read(items: string): Promise<void> {
  await sql`with ${rowsCte(items)} ${READS}`.execute(db);
}

async function write(items: string): Promise<void> {
  await sql`
    with ${rowsCte(items)},
    facts as materialized (${oneStatement ? READS : sql`select 1 where false`}),
    keys as (
      insert into idempotency_keys (tenant_id, key, fingerprint, outcome, created_at, expires_at)
      select 'a', key, 'f', outcome, at, at + interval '1 day' from r where ${withKeys}
    ),
    calls as (
      insert into calls (tenant_id, id, kind, campaign_id, contact_id, to_number, phone_type, caller_id,
        status, reason, outside_window, next_attempt_at, sandbox, event_sequence, created_at, updated_at,
        decision)
      select 'a', id, 'campaign', 'bench', contact_id, '+12125550120', 'mobile', '+14155550100',
        'queued', 'bench', 'reject', at, true, 1, at, at,
        -- Two rows: the first entry's document (the decision and the call as created) rides on
        -- the call row, where a design deriving the first entry from the call would keep it.
        case when ${!withEvents} then data end
      from r
    ),
    events as (
      insert into call_events (tenant_id, call_id, campaign_id, sequence, type, at, data)
      select 'a', id, 'bench', 1, 'call.queued', at, data from r where ${withEvents}
    ),
    audit as (
      insert into audit_events (chain, sequence, tenant_id, request_id, client_id, method, route, path,
        status, duration_ms, ip, user_agent, body_digest, body, at, prev_hash, hash)
      select ${chain}, (a->>'sequence')::bigint, 'a', a->>'request_id', a->>'client_id', a->>'method',
        a->>'route', a->>'path', (a->>'status')::int, (a->>'duration_ms')::float8, a->>'ip',
        a->>'user_agent', a->>'body_digest', a->'body', at, a->>'prev_hash', a->>'hash'
      from r, lateral (select r.audit as a) x
    )
    select (select count(*) from facts) as read`.execute(db);
}

let waiting: Request[] = [];
let inFlight = 0;
/** Set when the bench ends the server: no batch starts after it. */
let closing = false;
/** Told when the last batch in flight has committed, once closing. */
let drained: (() => void) | undefined;
async function commitWaiting(): Promise<void> {
  if (closing || inFlight >= IN_FLIGHT || waiting.length === 0) return;
  inFlight += 1;
  const batch = waiting;
  waiting = [];
  try {
    const now = new Date();
    // The rows are made before the reads here (their ids and hashes need nothing read), so both
    // statements take the same parameter.
    const made = batch.map((request) => rowsOf(request, now));
    const items = JSON.stringify(made.map((m) => m.row));
    if (!oneStatement) await read(items);
    await write(items);
    for (const [i, request] of batch.entries()) request.done(made[i]?.body ?? '');
  } finally {
    inFlight -= 1;
    if (inFlight === 0) drained?.();
    if (waiting.length > 0) setImmediate(commitWaiting);
  }
}

/** Stops taking batches, lets those in flight commit, then closes the store (the bench's end). */
async function close(): Promise<void> {
  closing = true;
  if (inFlight > 0) await new Promise<void>((resolve) => (drained = resolve));
  await store.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
}

// The load generator sends one body to the reference servers: the contacts are taken in turn, as
// the pconn measures' requests take theirs, each with a key of its own.
let requests = 0;
await serveReferenceRoute(
  () =>
    new Promise<string>((done) => {
      const n = requests++ % CONTACTS;
      waiting.push({ key: `k-${process.pid}-${n}-${requests}`, contactId: `ct-${n}`, done });
      setImmediate(commitWaiting);
    }),
  close,
);
