/**
 * sip_rss_delta (shared/bench.md): RSS growth of the pconn process from idle to 1,000
 * concurrent bridged calls (2,000 dialogs). pconn runs in its own process
 * (servers/pconn-sip-node.ts) with its agents and campaign already in the store, so the
 * baseline — the same process idle after a few warm-up calls — includes the store's own memory.
 * One sipp is every agent's phone, another the trunk whose contacts hold each call.
 */
import { freeUdpPort } from '../test/e2e/support/sipp.ts';
import { startServerProcess } from './support/server-process.ts';
import { runScenario } from './support/sipp-process.ts';

const CALLS = Number(process.env.BENCH_SIP_RSS_CALLS ?? 1000);
const WARM_UP_CALLS = 50;
/** Long enough for every call to be up at once: they start at 20 per second. */
const HOLD_SECONDS = Number(process.env.BENCH_SIP_HOLD_SECONDS ?? 120);
const MB = 1024 * 1024;

interface Sample {
  rss: number;
  heapUsed: number;
  connected: number;
  /** Taken right after a full GC. */
  collected: boolean;
}

/** Resolves once `predicate` holds for the latest sample; rejects after `ms`. */
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
      if (sample && predicate(sample)) {
        clearInterval(timer);
        resolve(sample);
      } else if (Date.now() - started > ms) {
        clearInterval(timer);
        reject(new Error(`${what}: not reached in ${ms / 1000} s (last ${JSON.stringify(sample)})`));
      }
    }, 100);
  });
}

/** The sip_rss_delta line of `npm run bench`. */
export async function sipRssDelta(): Promise<string> {
  const [agentPort, warmPort, holdPort] = [await freeUdpPort(), await freeUdpPort(), await freeUdpPort()];
  const peers = [
    runScenario('agent-answers.xml', agentPort, WARM_UP_CALLS + CALLS),
    runScenario('contact-hangs-up.xml', warmPort, WARM_UP_CALLS),
    runScenario('contact-holds.xml', holdPort, CALLS, ['-d', String(HOLD_SECONDS * 1000)]),
  ];
  const server = await startServerProcess<{ url: string; token: string }>('pconn-sip-node', {
    BENCH_AGENTS: String(CALLS),
    BENCH_AGENT_PORT: String(agentPort),
    // Idle and peak are both read right after a full GC, so garbage counts in neither.
    NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --expose-gc`.trim(),
  });
  let latest: Sample | undefined;
  let collected: Sample | undefined;
  let peak: Sample | undefined;
  server.onMessage((message) => {
    if (message.type !== 'sample') return;
    latest = message as unknown as Sample;
    if (!latest.collected) return;
    collected = latest;
    if (latest.connected >= CALLS && latest.rss > (peak?.rss ?? 0)) peak = latest;
  });
  const { url, token } = server.ready;
  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (res.status >= 400) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  };
  /**
   * Places `count` calls at a steady 20 per second, under what pconn sustains here with its
   * embedded store (sip_cps_ratio): faster, its inbound SIP backlog grows for as long as the
   * ramp lasts and late retransmissions make sipp abort calls.
   */
  const place = async (count: number, prefix: string) => {
    for (let i = 0; i < count; i += 10) {
      const tick = new Promise((resolve) => setTimeout(resolve, 500));
      await Promise.all(
        Array.from({ length: Math.min(10, count - i) }, (_, j) =>
          api('POST', '/v1/campaigns/bench/calls', {
            contact: {
              externalId: `${prefix}-${i + j}`,
              timezone: 'UTC',
              phoneNumbers: [{ phoneType: 'mobile', number: '+12125550120' }],
            },
          }),
        ),
      );
      await tick;
    }
  };
  try {
    const trunk = { maxConcurrent: CALLS + 100, cps: 200 };
    await api('PUT', '/v1/trunks/default', { uri: `sip:127.0.0.1:${warmPort}`, ...trunk });
    // Warm-up: code paths loaded, pools and caches filled, as in a node that has been running.
    await place(WARM_UP_CALLS, 'warm');
    await peers[1]!.done;
    await until(
      () => latest,
      (s) => s.connected === 0,
      30_000,
      'warm-up calls ended',
    );
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const idle = collected!;
    await api('PUT', '/v1/trunks/default', { uri: `sip:127.0.0.1:${holdPort}`, ...trunk });
    const started = performance.now();
    await place(CALLS, 'hold');
    const up = await until(
      () => latest,
      (s) => s.connected >= CALLS,
      (HOLD_SECONDS - 10) * 1000,
      'all calls up',
    );
    const rampSeconds = (performance.now() - started) / 1000;
    // A few more samples with every call up: the peak is the highest of them.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const top = peak ?? collected ?? up;
    const delta = Math.round((top.rss - idle.rss) / MB);
    const verdict = delta <= 300 ? 'within goal' : 'OVER GOAL';
    return `sip_rss_delta: ${delta} MB (goal ≤ 300 MB, ${verdict}; idle ${(idle.rss / MB).toFixed(0)} MB, peak ${(top.rss / MB).toFixed(0)} MB with ${top.connected} connected calls; heap ${(idle.heapUsed / MB).toFixed(0)} → ${(top.heapUsed / MB).toFixed(0)} MB; all up ${rampSeconds.toFixed(0)} s after the first POST)`;
  } finally {
    for (const peer of peers) peer.kill();
    await server.stop();
  }
}
