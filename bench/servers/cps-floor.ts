/**
 * The reference server of sip_cps_floor(_pg): the least a design can do per bridged call and
 * still make every step of it durable, with pconn's SIP driver placing the same legs as in
 * sip_cps_ratio (bench/support/floor-calls.ts) on the same store and tables as pconn.
 *
 * - A call is requested on a bare route (no auth, validation, decision or presentation by
 *   pconn's code) and accepted with the least record the contract asks of it
 *   (bench/support/floor-record.ts: the checks' reads, the call, its first timeline entry, the
 *   key's answer, a chained audit entry), written already dialling: its first attempt (the
 *   agent's leg) and that step's timeline entry ride in the same statement, so the INVITE
 *   follows the one commit the 202 waits for. The agent is taken in turn from BENCH_AGENTS.
 * - Every later step — the contact dialled, the call connected, its end — is the call row's
 *   status and a timeline entry (and at the end the attempt's outcome), group-committed in ONE
 *   statement per batch for every call with a step waiting; no dial waits for them. A call is
 *   counted ended once its end has committed.
 *
 * The SIP driver runs on a thread of its own (floor-sip-thread.ts), off the thread that serves
 * HTTP and writes the store: with both on one thread, as in pconn's node, that thread is the
 * limit (~90 % of its wall clock busy, the machine ~80 %; docs/performance.md, session 22).
 * BENCH_FLOOR_SIP_THREAD=0 keeps it on the server's thread. BENCH_DATABASE_URL: that PostgreSQL
 * instead of the embedded store. Reports `{type: 'ready', url}`; answers `{type: 'count'}` with
 * `{type: 'counts', statuses}` (calls whose end is durable).
 */
import { sql } from 'kysely';
import { keyProbe } from '../../src/store/calls/key-probes.ts';
import type { Db } from '../../src/store/database.ts';
import { startScriptWorker } from '../../src/store/script-worker.ts';
import { TurnOutbox } from '../../src/wiring/sip-thread/turn-outbox.ts';
import { type FloorDial, type FloorStep, startFloorCalls } from '../support/floor-calls.ts';
import { FloorRecord, openFloorStore } from '../support/floor-record.ts';
import { serveReferenceRoute } from '../support/reference-route.ts';

const AGENTS = Number(process.env.BENCH_AGENTS ?? 1000);
const ports = { agent: process.env.BENCH_AGENT_PORT ?? '', contact: process.env.BENCH_CONTACT_PORT ?? '' };
const postgres = Boolean(process.env.BENCH_DATABASE_URL);

/**
 * Group commit of the calls' steps: whatever is waiting goes out in one statement when the batch
 * before it has committed (or at the event loop's next turn).
 */
class FloorSteps {
  private waiting: FloorStep[] = [];
  private flushing = false;
  readonly ended = { completed: 0, failed: 0 };

  constructor(private readonly db: Db) {}

  add(step: FloorStep): void {
    this.waiting.push(step);
    if (this.waiting.length === 1) setImmediate(() => void this.flush());
  }

  // Why the primary keys are probed explicitly: src/store/calls/key-probes.ts.
  private async flush(): Promise<void> {
    if (this.flushing || this.waiting.length === 0) return;
    this.flushing = true;
    const batch = this.waiting;
    this.waiting = [];
    // One UPDATE cannot change a row twice: a call with two steps in the batch gets its last
    // status, and both timeline entries.
    const last = new Map<string, FloorStep>();
    for (const step of batch) last.set(step.id, step);
    const items = JSON.stringify(batch.map((step) => ({ ...step, last: last.get(step.id) === step })));
    const ids = sql`(select 'a' as tenant, id from s)`;
    try {
      await sql`
        with s as materialized (
          select * from jsonb_to_recordset(${items}::jsonb)
            as s(id text, seq int, status text, at timestamptz, outcome text, data jsonb, last boolean)
        ),
        calls as (
          update calls c set status = s.status, outcome = coalesce(s.outcome, c.outcome),
            event_sequence = s.seq, updated_at = s.at
          from s where s.last and c.tenant_id = 'a' and c.id = s.id
            and ${keyProbe('c', { tenant: 'tenant_id', id: 'id' }, ids)}
        ),
        events as (
          insert into call_events (tenant_id, call_id, campaign_id, sequence, type, at, data)
          select 'a', id, 'bench', seq, 'call.' || status, at, data from s
        ),
        attempts as (
          update call_attempts a set ended_at = s.at, outcome = s.outcome
          from s where s.outcome is not null and a.tenant_id = 'a' and a.call_id = s.id and a.n = 1
            and ${keyProbe('a', { tenant: 'tenant_id', id: 'call_id' }, ids)}
        )
        select 1`.execute(this.db);
      for (const step of batch)
        if (step.status === 'completed' || step.status === 'failed') this.ended[step.status] += 1;
    } catch (error) {
      process.stderr.write(`cps-floor: a step batch failed: ${String(error)}\n`);
      for (const step of batch) if (step.outcome) this.ended.failed += 1;
    } finally {
      this.flushing = false;
      if (this.waiting.length > 0) setImmediate(() => void this.flush());
    }
  }
}

/** The SIP driver on its own thread: dials go over in batches, steps come back in batches. */
async function sipThread(onStep: (step: FloorStep) => void) {
  const worker = startScriptWorker(new URL('../support/floor-sip-thread.ts', import.meta.url), ports);
  worker.on('error', (error) => process.stderr.write(`cps-floor: the SIP thread failed: ${String(error)}\n`));
  await new Promise<void>((resolve) =>
    worker.on('message', (message: { ready: true } | FloorStep[]) => {
      if (Array.isArray(message)) for (const step of message) onStep(step);
      else resolve();
    }),
  );
  // Dials are plain data: none can fail to cross, so none needs a stand-in.
  const dials = new TurnOutbox<FloorDial>(worker, () => undefined);
  return {
    dial: (call: FloorDial) => dials.push(call),
    close: () => worker.terminate().then(() => undefined),
  };
}

const store = await openFloorStore();
const steps = new FloorSteps(store.db);
let nextAgent = 0;
const record = new FloorRecord(store.db, {
  rows: 4,
  oneStatement: true,
  // As accept_record_floor(_pg) runs.
  inFlight: postgres ? 4 : 2,
  dialing: { userId: () => `agent${nextAgent++ % AGENTS}` },
});
const onStep = (step: FloorStep) => steps.add(step);
const calls =
  process.env.BENCH_FLOOR_SIP_THREAD === '0' ? await startFloorCalls(ports, onStep) : await sipThread(onStep);

process.on('message', (message: { type?: string }) => {
  if (message.type === 'count') process.send?.({ type: 'counts', statuses: { ...steps.ended } });
});
await serveReferenceRoute(
  async () => {
    const accepted = await record.accept();
    calls.dial({ id: accepted.id, userId: accepted.userId ?? 'agent0' });
    return accepted.body;
  },
  async () => {
    await record.close();
    await calls.close();
    await store.close();
  },
);
