/**
 * sip_rss_delta (shared/bench.md): RSS growth of pconn from idle to 1,000 concurrent bridged
 * calls (2,000 dialogs), and sip_rss_delta_10k to 10,000 (20,000 dialogs). pconn runs in its own
 * process (servers/pconn-sip-node.ts) with its agents and campaigns already in the store, so the
 * baseline — the same process idle after a few warm-up calls — includes the store's own memory.
 * RSS is summed over the node's process tree (a store in a child process counts). One sipp is
 * every agent's phone, another the trunk whose contacts hold each call; SIP over UDP is one
 * socket each, so 20,000 dialogs need no more file descriptors than 2,000.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { freeUdpPort } from '../test/e2e/support/sipp.ts';
import { processTree } from './support/process-tree.ts';
import { startServerProcess } from './support/server-process.ts';
import { runScenario } from './support/sipp-process.ts';

const WARM_UP_CALLS = 50;
/**
 * Calls placed per second: under what pconn sustains here with its embedded store
 * (sip_cps_ratio): faster, its inbound SIP backlog grows for as long as the ramp lasts and late
 * retransmissions make sipp abort calls.
 */
const RATE = Number(process.env.BENCH_SIP_RSS_RATE ?? 20);
/**
 * Failed calls the ramp tolerates before it stops (BENCH_SIP_RSS_MAX_FAILED): the line then says
 * how many failed instead of a verdict. 0 by default: the goal is of every call up.
 */
const MAX_FAILED = Number(process.env.BENCH_SIP_RSS_MAX_FAILED ?? 0);
const MB = 1024 * 1024;
/**
 * This bench's sipp scenarios: the end-to-end tests' agent-answers.xml and contact-holds.xml,
 * plus an INVITE copy (pconn's Timer A resend crossing the 200) answered as a retransmission.
 * With thousands of calls up, the store's statements delay pconn's event loop past T1 now and
 * then, and sipp aborted every call whose INVITE copy came after its 200 (83 of 4,800).
 */
const BENCH_SCENARIO = (file: string) => fileURLToPath(new URL(`./scenarios/${file}`, import.meta.url));
/** Call states of a call not yet ended. */
const UNSETTLED = ['queued', 'scheduled', 'dialing_user', 'dialing_contact', 'connected'];

/**
 * Lets a running process open 65,536 files: UDP SIP is one socket per process today, but a
 * per-leg socket (media, TCP) would need one per dialog, and 20,000 dialogs exceed the usual
 * default. Best effort: without root or prlimit the limit stays as it is.
 */
const raiseFileLimit = (pid: number) =>
  promisify(execFile)('prlimit', ['--pid', String(pid), '--nofile=65536:65536']).catch(() => undefined);

interface Sample {
  rss: number;
  heapUsed: number;
  connected: number;
  /** Calls per status, from the store. */
  statuses: Record<string, number>;
  /** Taken right after a full GC. */
  collected: boolean;
  /** RSS of the node's whole process tree, read by the bench for samples taken after a GC. */
  treeRss?: number;
}

/** Resolves once `predicate` holds for the latest sample; rejects after `ms` or when it throws. */
function until(
  latest: () => Sample | undefined,
  predicate: (s: Sample) => boolean,
  ms: number,
  what: string,
) {
  return new Promise<Sample>((resolve, reject) => {
    const started = Date.now();
    const timer = setInterval(() => {
      const sample = latest();
      let holds: boolean;
      try {
        holds = sample !== undefined && predicate(sample);
      } catch (error) {
        clearInterval(timer);
        reject(new Error(`${what}: ${(error as Error).message} (last ${JSON.stringify(sample)})`));
        return;
      }
      if (sample && holds) {
        clearInterval(timer);
        resolve(sample);
      } else if (Date.now() - started > ms) {
        clearInterval(timer);
        reject(new Error(`${what}: not reached in ${ms / 1000} s (last ${JSON.stringify(sample)})`));
      }
    }, 100);
  });
}

/**
 * The sip_rss_delta line of `npm run bench` for `calls` concurrent bridged calls (`name`
 * sip_rss_delta for 1,000, sip_rss_delta_10k for 10,000); BENCH_SIP_RSS_CALLS overrides the count.
 */
export async function sipRssDelta(calls: number, name: string, goalMb: number): Promise<string> {
  const CALLS = Number(process.env.BENCH_SIP_RSS_CALLS ?? calls);
  /**
   * Long enough for every call to be up at once: twice the nominal ramp, since on a loaded
   * machine the POSTs themselves slow the ramp down. The bench ends (and kills sipp) as soon as
   * every call is up, so a long hold costs no run time.
   */
  const HOLD_SECONDS = Number(process.env.BENCH_SIP_HOLD_SECONDS ?? Math.max(120, (2 * CALLS) / RATE + 120));
  const [agentPort, warmPort, holdPort] = [await freeUdpPort(), await freeUdpPort(), await freeUdpPort()];
  const open = [
    // No cap on the calls a sipp holds open at once (its default is sized for 1,000-call runs).
    '-l',
    String(2 * CALLS + 200),
    // sipp quits after 120 late turns of its own event loop (500 ms): on 2 shared cores a
    // 10-minute ramp trips that many, and the sipp holding every call would end the run.
    '-watchdog_minor_maxtriggers',
    '1000000',
    '-watchdog_major_maxtriggers',
    '1000000',
    // sipp gives up on an unacknowledged 200 after 5 resends: 3.1 s for the agent's
    // (retrans="100"), after which it aborts the call with BYE. On a loaded machine pconn's ACK
    // can come later than that; 20 resends (capped at T2 = 4 s each) wait about a minute.
    '-max_retrans',
    '20',
  ];
  const peers = [
    runScenario(BENCH_SCENARIO('agent-answers-resent-invite.xml'), agentPort, WARM_UP_CALLS + CALLS, open),
    runScenario('contact-hangs-up.xml', warmPort, WARM_UP_CALLS, open),
    runScenario(BENCH_SCENARIO('contact-holds-resent-invite.xml'), holdPort, CALLS, [
      '-d',
      String(HOLD_SECONDS * 1000),
      ...open,
    ]),
  ];
  const server = await startServerProcess<{ url: string; token: string; campaigns: string[] }>(
    'pconn-sip-node',
    {
      BENCH_AGENTS: String(CALLS),
      BENCH_AGENT_PORT: String(agentPort),
      // Idle and peak are both read right after a full GC, so garbage counts in neither.
      NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --expose-gc`.trim(),
    },
  );
  await Promise.all([server.pid, ...peers.map((peer) => peer.pid)].map(raiseFileLimit));
  let latest: Sample | undefined;
  let collected: Sample | undefined;
  let peak: Sample | undefined;
  server.onMessage((message) => {
    if (message.type !== 'sample') return;
    const sample = message as unknown as Sample;
    latest = sample;
    if (!sample.collected) return;
    void processTree(server.pid).then((tree) => {
      sample.treeRss = tree.reduce((sum, p) => sum + p.rss, 0);
      collected = sample;
      if (sample.connected >= CALLS && sample.treeRss > (peak?.treeRss ?? 0)) peak = sample;
    });
  });
  const { url, token, campaigns } = server.ready;
  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (res.status >= 400) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  };
  /** Calls that failed before the ramp (warm-up): the ramp must add none. */
  let failedBefore = 0;
  /**
   * Places `count` calls at a steady RATE a second, campaign after campaign (1,000 calls each, one
   * per agent): each campaign fills as the 1,000-call line's one does, and an accept batch names
   * one campaign (the accept read counts the active agents of each campaign it names).
   */
  const place = async (count: number, prefix: string) => {
    const batch = Math.max(1, Math.round(RATE / 2));
    for (let i = 0; i < count; i += batch) {
      const tick = new Promise((resolve) => setTimeout(resolve, 500));
      await Promise.all(
        Array.from({ length: Math.min(batch, count - i) }, (_, j) =>
          api('POST', `/v1/campaigns/${campaigns[Math.floor((i + j) / 1000) % campaigns.length]}/calls`, {
            contact: {
              externalId: `${prefix}-${i + j}`,
              timezone: 'UTC',
              phoneNumbers: [{ phoneType: 'mobile', number: '+12125550120' }],
            },
          }),
        ),
      );
      await tick;
      // More than a few failed calls: the figure would not be of CALLS calls; stop at once.
      const failed = (latest?.statuses.failed ?? 0) - failedBefore;
      if (prefix === 'hold' && failed > MAX_FAILED)
        throw new Error(`${failed} calls failed during the ramp (${JSON.stringify(latest?.statuses)})`);
    }
  };
  try {
    const trunk = { maxConcurrent: CALLS + 100, cps: 200 };
    await api('PUT', '/v1/trunks/default', { uri: `sip:127.0.0.1:${warmPort}`, ...trunk });
    // Warm-up: code paths loaded, pools and caches filled, as in a node that has been running.
    await place(WARM_UP_CALLS, 'warm');
    await peers[1]!.done;
    // Every warm-up call ended (on a loaded machine, a few may have failed: they only warm up).
    await until(
      () => latest,
      (s) => UNSETTLED.every((status) => !s.statuses[status]),
      120_000,
      'warm-up calls ended',
    );
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const idle = collected!;
    failedBefore = idle.statuses.failed ?? 0;
    await api('PUT', '/v1/trunks/default', { uri: `sip:127.0.0.1:${holdPort}`, ...trunk });
    const started = performance.now();
    // A ramp of minutes (10,000 calls): say how it goes, on stderr so the result line stays clean.
    const progress = setInterval(() => {
      const elapsed = ((performance.now() - started) / 1000).toFixed(0);
      const memory = latest
        ? `, RSS ${(latest.rss / MB).toFixed(0)} MB, heap ${(latest.heapUsed / MB).toFixed(0)} MB`
        : '';
      process.stderr.write(
        `${name}: ${elapsed} s, calls per status ${JSON.stringify(latest?.statuses ?? {})}${memory}\n`,
      );
    }, 30_000);
    const up = await place(CALLS, 'hold')
      .then(() =>
        until(
          () => latest,
          (s) => {
            // Every call up, or failed (a failed call never comes up).
            const failed = (s.statuses.failed ?? 0) - failedBefore;
            if (failed > MAX_FAILED) throw new Error(`${failed} calls failed during the ramp`);
            return s.connected + failed >= CALLS;
          },
          (HOLD_SECONDS - 10) * 1000,
          'all calls up',
        ),
      )
      .finally(() => clearInterval(progress));
    const rampSeconds = (performance.now() - started) / 1000;
    // A few more samples with every call up: the peak is the highest of them.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const top = peak ?? collected ?? up;
    const rss = (sample: Sample) => sample.treeRss ?? sample.rss;
    const delta = Math.round((rss(top) - rss(idle)) / MB);
    const failed = (top.statuses.failed ?? 0) - failedBefore;
    const verdict =
      failed > 0
        ? `${failed} calls failed: not all ${CALLS.toLocaleString('en')} up`
        : delta <= goalMb
          ? 'within goal'
          : 'OVER GOAL';
    return `${name}: ${delta} MB (goal ≤ ${goalMb} MB @ ${CALLS.toLocaleString('en')} calls, ${verdict}; idle ${(rss(idle) / MB).toFixed(0)} MB, peak ${(rss(top) / MB).toFixed(0)} MB with ${top.connected} connected calls (${2 * top.connected} dialogs); heap ${(idle.heapUsed / MB).toFixed(0)} → ${(top.heapUsed / MB).toFixed(0)} MB; calls placed at ${RATE}/s, all up ${rampSeconds.toFixed(0)} s after the first POST)`;
  } finally {
    for (const peer of peers) peer.kill();
    await server.stop();
  }
}
