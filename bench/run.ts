/**
 * `npm run bench`: pconn's performance goals (shared/bench.md), each printed as
 * `<name>: <figure> (<goal>)` and measured against a baseline taken in the same run.
 */
import { acceptRatio } from './accept-ratio.ts';
import { dialLatency } from './dial-latency.ts';
import { eventsLag } from './events-lag.ts';
import { sipCpsRatio } from './sip-cps.ts';

const DURATION = Number(process.env.BENCH_SECONDS ?? 10);

const only = process.argv[2];
const measures: Record<string, () => Promise<string>> = {
  accept_ratio: () => acceptRatio(DURATION),
  dial_latency_p99: () => dialLatency(DURATION),
  events_lag_p99: () => eventsLag(DURATION),
  sip_cps_ratio: () => sipCpsRatio(),
};
for (const [name, run] of Object.entries(measures)) {
  if (only && only !== name) continue;
  process.stdout.write(`${await run()}\n`);
}
process.stdout.write(
  'accept_ratio_pg, sip_rss_delta, scale_ratio: not measured yet (their issues are open)\n',
);
