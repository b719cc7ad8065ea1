/**
 * sip_cps_ratio (shared/bench.md): bridged calls per second through pconn's SIP driver, with
 * sipp as both the agents' phones and the contacts' trunk, divided by what sipp UAC → sipp UAS
 * manages on the same machine in the same run. Both runs must end with 0 failed calls.
 * sip_cps_ratio_pg is the same on a durable PostgreSQL (fsync on) instead of the embedded store.
 * Both sides run the same number of calls (3,000), so the ramp and the contacts' 300 ms before
 * hanging up weigh the same small share; pconn's are counted after a warm-up (WARM_UP below).
 * pconn runs in its own process (servers/pconn-cps-node.ts) and its calls are requested by 50
 * concurrent API clients from this one, as the accept measures load it. A campaign holds up to
 * 1,000 agents — far more than are ever busy at once here — and the run checks that no call had
 * to wait for one: the measure is pconn, not agent scarcity.
 */
import autocannon from 'autocannon';
import { freeUdpPort } from '../test/e2e/support/sipp.ts';
import { withPostgres } from './support/accept-load.ts';
import { type CpuGroups, CpuMeter, type CpuSplit, postgresPids } from './support/cpu-account.ts';
import { profileStatements } from './support/pg-statements.ts';
import { busyPercent } from './support/process-tree.ts';
import { type ServerProcess, startServerProcess } from './support/server-process.ts';
import { describeSippBaseline, runScenario, sippToSippCps } from './support/sipp-process.ts';

const CALLS = Number(process.env.BENCH_SIP_CALLS ?? 3000);
/** Agents of the campaign (the API's limit per campaign; BENCH_SIP_AGENTS: fewer). */
const AGENTS = Number(process.env.BENCH_SIP_AGENTS ?? Math.min(CALLS, 1000));
/**
 * Calls the node carries before the measured ones (BENCH_SIP_WARM_UP; 0: measure from a cold
 * start). A node starts with its code interpreted: in a perf profile of a cold 3,000-call run
 * V8's optimizing compiler took ~15 % of the machine's CPU (~30 % of a core), ~6 % in the
 * measured window after the warm-up, so a cold run measured the compiler as much as the dialer
 * (sip_cps_ratio_pg 0.105 over a cold 3,000 calls, 0.132 over a cold 9,000; 0.133 for 3,000
 * after 1,000, and no higher after 3,000). A dialer runs for hours. Since the store's costs fell
 * (session 26) the JIT's share shows again: on PostgreSQL the node's CPU a counted call fell from
 * 1.80–1.93 ms after 1,000 calls to 1.43–1.61 after 3,000, 6,000, 10,000 and 15,000, a plateau
 * from ~3,000 on (sip_cps_ratio_pg 0.115–0.122 against 0.128–0.141); 5,000 measure inside it.
 */
const WARM_UP = Number(process.env.BENCH_SIP_WARM_UP ?? 5000);
/** API clients requesting calls at once. */
const CLIENTS = Number(process.env.BENCH_SIP_CLIENTS ?? 50);
/** autocannon's sample tick (ms): how late after the last response it reports. */
const SAMPLE_MS = 20;
/** Statuses a call ends in (it is not counted as done before). */
const ENDED = ['completed', 'failed', 'canceled', 'blocked'];

interface Counts {
  statuses: Record<string, number>;
  /** pconn's node: calls not yet ended (its poll answers only this; the floor counts its ends). */
  unfinished?: number;
  waited: number;
  /** Up to five failed calls' `call.failed` event data. */
  failures: string[];
}

/**
 * How far the run's calls are: pconn's node answers how many are unfinished, the floor its ended
 * calls per status; with `full`, every status, the calls that waited and why any failed (a scan of
 * the timeline).
 */
function counts(node: ServerProcess<unknown>, full = false): Promise<Counts> {
  return new Promise((resolve) => {
    node.onceMessage('counts', (message) =>
      resolve({
        statuses: {},
        waited: 0,
        failures: [],
        ...(message as unknown as Partial<Counts>),
      } as Counts),
    );
    node.send({ type: 'count', full });
  });
}

/**
 * Requests `amount` calls through the API (50 clients) and waits until all `before + amount`
 * calls of the run have ended durably: the contact's sipp is done when its BYE is answered, and
 * pconn's settle of the last calls may still be in flight then. Answers the rate from the first
 * request to the last call's end.
 */
async function runCalls(
  node: ServerProcess<unknown>,
  url: string,
  token: string,
  amount: number,
  prefix: string,
  before: number,
  accounted: CpuGroups,
): Promise<{ cps: number; accepted: string; latest: Counts; cpu: CpuSplit }> {
  const meter = await CpuMeter.start(accounted);
  const started = performance.now();
  // autocannon, the accept measures' load generator: fetch cost the bench's process ~1 ms of CPU
  // per request, a third of a core taken from pconn and the store on a 2-core machine.
  let next = 0;
  const load = await autocannon({
    url: `${url}/v1/campaigns/bench/calls`,
    connections: CLIENTS,
    amount,
    // autocannon answers at its first sample tick after the last response: at the default
    // 1 s tick the run's end, which waits for this answer, was rounded up to a whole second
    // (3,000 calls "bridged" in exactly 7.0 s, 424 calls/s, whatever pconn did within it).
    sampleInt: SAMPLE_MS,
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    requests: [
      {
        setupRequest: (req) => ({
          ...req,
          body: JSON.stringify({
            contact: {
              externalId: `${prefix}-${next++}`,
              timezone: 'UTC',
              phoneNumbers: [{ phoneType: 'mobile', number: '+12125550120' }],
            },
          }),
        }),
      },
    ],
  });
  // How long the requests took to be accepted: when it is most of the run, the accept path
  // (its latency under the dialer's load, with 50 clients) paced the calls.
  const accepted = `all accepted after ${((performance.now() - started) / 1000).toFixed(1)} s (202 p50 ${load.latency.p50} ms, p99 ${load.latency.p99} ms)`;
  if (load['2xx'] !== amount || load.errors > 0) {
    throw new Error(
      `${amount} calls requested: ${load['2xx']} accepted, ${load.non2xx} refused, ${load.errors} errors`,
    );
  }
  // Every call of the run is in the store by now (each 202 followed its commit), so none left
  // unfinished means all `before + amount` have ended.
  const done = (c: Counts) =>
    c.unfinished !== undefined
      ? c.unfinished === 0
      : ENDED.reduce((sum, status) => sum + (c.statuses[status] ?? 0), 0) >= before + amount;
  let latest = await counts(node);
  // Bounded: a run whose calls never end reports what it counted (and fails on its statuses).
  const deadline = performance.now() + 300_000;
  let lastRead = performance.now();
  while (!done(latest) && performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    latest = await counts(node);
    // Every 250 ms: sipp exits with its last call, and its CPU is read up to then.
    if (performance.now() - lastRead >= 250) {
      lastRead = performance.now();
      await meter.read(false);
    }
  }
  const cps = amount / ((performance.now() - started) / 1000);
  const cpu = await meter.split();
  return { cps, accepted, latest: await counts(node, true), cpu };
}

/**
 * CPU milliseconds a bridged call cost each part while the counted calls ran, and how busy the
 * machine was: what a faster run must take from whom (on 2 cores, ~2 CPU-seconds a second).
 */
function cpuPerCall(cpu: CpuSplit, calls: number): string {
  const ms = (cpus: number) => ((cpus * cpu.seconds * 1000) / calls).toFixed(2);
  const { groups } = cpu;
  const postgres = groups.postgres ? `, PostgreSQL ${ms(groups.postgres)}` : '';
  return `CPU ms a call: node ${ms(groups.node ?? 0)} (main thread ${ms(groups['node main thread'] ?? 0)})${postgres}, sipp ${ms(groups.sipp ?? 0)}, API clients ${ms(cpu.loadGenerator)}, other ${ms(cpu.other)}; machine ${busyPercent(cpu).toFixed(0)} % busy`;
}

/**
 * Bridged calls through `server` (pconn's node, or the floor's reference server): every call
 * rings an agent sipp, then a contact sipp that hangs up.
 */
async function bridgedCps(
  server: 'pconn-cps-node' | 'cps-floor',
  env: Record<string, string> = {},
): Promise<{ cps: number; ok: boolean; detail: string; busy: number }> {
  const agentPort = await freeUdpPort();
  const contactPort = await freeUdpPort();
  const agent = runScenario('agent-answers.xml', agentPort, WARM_UP + CALLS);
  const contact = runScenario('contact-hangs-up.xml', contactPort, WARM_UP + CALLS);
  const node = await startServerProcess<{ url: string; token?: string }>(server, {
    ...env,
    BENCH_AGENTS: String(AGENTS),
    BENCH_AGENT_PORT: String(agentPort),
    BENCH_CONTACT_PORT: String(contactPort),
  }).catch((error: unknown) => {
    // A node that did not start leaves no one to end sipp's calls: it would wait forever.
    agent.kill();
    contact.kill();
    throw error;
  });
  // The floor's bare route takes no token.
  const { url, token = 'none' } = node.ready;
  const databaseUrl = env.BENCH_DATABASE_URL;
  const accounted: CpuGroups = {
    node: { members: async () => [node.pid] },
    'node main thread': { members: async () => [`${node.pid}/task/${node.pid}`], within: 'node' },
    ...(databaseUrl ? { postgres: { members: postgresPids } } : {}),
    sipp: { members: async () => [agent.pid, contact.pid] },
  };
  const statements =
    databaseUrl && process.env.BENCH_PG_STATEMENTS ? await profileStatements(databaseUrl) : undefined;
  try {
    // The warm-up: the same calls on the same node, not counted (its JIT, caches and pools).
    const warmUp = WARM_UP > 0 ? await runCalls(node, url, token, WARM_UP, 'warm', 0, accounted) : undefined;
    const measured = await runCalls(node, url, token, CALLS, 'sip', WARM_UP, accounted);
    const codes = await Promise.race([
      Promise.all([agent.done, contact.done]),
      // Unref'd: once sipp is done the timer must not hold the bench process for 5 more minutes.
      new Promise<null>((resolve) => setTimeout(() => resolve(null), 300_000).unref()),
    ]);
    if (statements) console.log(await statements.stop());
    const { latest } = measured;
    const completed = latest.statuses.completed ?? 0;
    const statuses = Object.entries(latest.statuses)
      .map(([status, n]) => `${n} ${status}`)
      .join(', ');
    const warm = warmUp
      ? `after ${WARM_UP} calls to warm the node up (${warmUp.cps.toFixed(0)} calls/s from its start), `
      : '';
    return {
      cps: measured.cps,
      busy: busyPercent(measured.cpu),
      ok:
        (codes?.every((code) => code === 0) ?? false) && completed === WARM_UP + CALLS && latest.waited === 0,
      detail: `${warm}${CALLS} calls by ${CLIENTS} API clients, ${measured.accepted}: ${statuses}; ${latest.waited} waited for an agent${latest.failures.length ? ` (failures: ${latest.failures.join('; ')})` : ''}; sipp exit ${codes ? codes.join('/') : 'timeout'}; ${cpuPerCall(measured.cpu, CALLS)}`,
    };
  } finally {
    agent.kill();
    contact.kill();
    await node.stop();
  }
}

/** `server`'s bridged calls on `store` against sipp → sipp's in the same run. */
async function againstSipp(server: 'pconn-cps-node' | 'cps-floor', store: 'pglite' | 'postgres') {
  const baseline = await sippToSippCps(CALLS);
  const run =
    store === 'pglite'
      ? await bridgedCps(server)
      : await withPostgres((url) => bridgedCps(server, { BENCH_DATABASE_URL: url }));
  return {
    run,
    ratio: run.cps / baseline.cps,
    sipp: `${describeSippBaseline(baseline, run.cps)}; ${baseline.ok && run.ok ? '0 failures' : 'FAILED OR WAITING CALLS (see the statuses and sipp exit codes)'}; ${AGENTS} agents; ${run.detail}`,
    where: store === 'pglite' ? 'embedded store' : 'PostgreSQL 18, fsync on',
  };
}

/** The sip_cps_ratio (embedded store) or sip_cps_ratio_pg (PostgreSQL) line of `npm run bench`. */
export async function sipCpsRatio(store: 'pglite' | 'postgres'): Promise<string> {
  const { run, ratio, sipp, where } = await againstSipp('pconn-cps-node', store);
  const name = store === 'pglite' ? 'sip_cps_ratio' : 'sip_cps_ratio_pg';
  return `${name}: ${ratio.toFixed(3)} (goal ≥ 0.15; pconn ${run.cps.toFixed(1)} bridged calls/s on the ${where}, its own process, ${sipp})`;
}

/**
 * The sip_cps_floor (embedded store) or sip_cps_floor_pg (PostgreSQL) line: the same calls,
 * clients, sipp and store through the least design that keeps every step durable
 * (bench/servers/cps-floor.ts) — what sip_cps_ratio could reach on this machine.
 */
export async function sipCpsFloor(store: 'pglite' | 'postgres'): Promise<string> {
  const { run, ratio, sipp, where } = await againstSipp('cps-floor', store);
  const name = store === 'pglite' ? 'sip_cps_floor' : 'sip_cps_floor_pg';
  // The rate the floor's CPU a call would allow with every core busy: an estimate, not a bound.
  const atFullMachine = run.busy > 0 ? (ratio * 100) / run.busy : Number.NaN;
  return `${name}: ${ratio.toFixed(3)} (reference, what sip_cps_ratio${store === 'pglite' ? '' : '_pg'} could reach here: a bare route and pconn's SIP driver on a thread of its own keeping each call's least durable record, one statement per batch on the ${where}, ${run.cps.toFixed(1)} bridged calls/s, ~${atFullMachine.toFixed(3)} with all of the machine, ${sipp})`;
}
