/**
 * A pconn node with the SIP driver for the memory bench, in its own process so that its RSS is
 * its own. Seeds BENCH_AGENTS agents whose phones are one sipp at 127.0.0.1:BENCH_AGENT_PORT and
 * running campaigns (1,000 agents each), reports `{type: 'ready', url, token, campaigns}` over IPC, then every 250 ms
 * `{type: 'sample', rss, heapUsed, connected, statuses}` (`connected`: calls the dialer has
 * recorded as connected; `statuses`: calls per status, both read from the store).
 */
import { SIP_BENCH_ENV, seedBenchCampaigns, startBenchPconn } from '../support/bench-pconn.ts';

const agents = Number(process.env.BENCH_AGENTS ?? 1000);
const agentPort = Number(process.env.BENCH_AGENT_PORT);
const node = await startBenchPconn({
  ...SIP_BENCH_ENV,
  PCONN_MAX_CONCURRENT_CALLS: String(agents + 100),
  // Calls queue behind the trunk's cps while thousands are set up: ringing may start late.
  PCONN_AGENT_RING_SECONDS: '120',
  PCONN_CONTACT_RING_SECONDS: '120',
  // The bench's own POSTs are never slow clients: a 408 here would only mean the event loop was
  // starved on a loaded machine (seen at 15 s, the default, while 10,000 calls ramp up).
  PCONN_HTTP_HEADERS_TIMEOUT_MS: '120000',
});
const { pconn, url, token } = node;
// More than 1,000 agents (sip_rss_delta at 10,000 calls) take several campaigns.
const campaigns = await seedBenchCampaigns(node, {
  count: agents,
  deviceUri: (i) => `sip:agent${i}@127.0.0.1:${agentPort}`,
});

const db = pconn.store.db;
/** With --expose-gc (the bench sets it), every 4th sample follows a full GC: RSS without garbage. */
const gc = (globalThis as { gc?: () => void }).gc;
let ticks = 0;
const sampler = setInterval(() => {
  const collected = gc !== undefined && ticks++ % 4 === 0;
  if (collected) gc();
  void db
    .selectFrom('calls')
    .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
    .groupBy('status')
    .execute()
    .then((rows) => {
      // A query still running when the bench disconnects must not write to the closed channel.
      if (!process.connected) return;
      const memory = process.memoryUsage();
      const statuses = Object.fromEntries(rows.map((row) => [row.status, Number(row.n)]));
      process.send?.(
        {
          type: 'sample',
          rss: memory.rss,
          heapUsed: memory.heapUsed,
          connected: statuses.connected ?? 0,
          statuses,
          collected,
        },
        undefined,
        {},
        // The channel can close between the check above and the write (EPIPE): with a callback
        // that error comes here instead of crashing the process as an unhandled 'error' event.
        () => undefined,
      );
    })
    .catch(() => undefined);
}, 250);
process.send?.({ type: 'ready', url, token, campaigns });
process.on('disconnect', () => {
  clearInterval(sampler);
  void node.close().then(() => process.exit(0));
});
