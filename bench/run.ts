/**
 * `npm run bench`: pconn's performance goals (shared/bench.md), each printed as
 * `<name>: <figure> (<goal>)` and measured against a baseline taken in the same run.
 */
import { acceptRatio, acceptStoreFloor, scaleRatio, stopBenchPostgres } from './accept-ratio.ts';
import { dialLatency } from './dial-latency.ts';
import { eventsLag } from './events-lag.ts';
import { mediaLegs } from './media-legs.ts';
import { pacingOccupancy, pacingSmallTeam } from './pacing.ts';
import { sipCpsRatio } from './sip-cps.ts';
import { sipDriverFloor } from './sip-driver-floor.ts';
import { sipRssDelta } from './sip-rss.ts';

const DURATION = Number(process.env.BENCH_SECONDS ?? 10);

const only = process.argv[2];
const measures: Record<string, () => Promise<string>> = {
  accept_ratio: () => acceptRatio(DURATION, 'pglite'),
  accept_store_floor: () => acceptStoreFloor(DURATION),
  accept_ratio_pg: () => acceptRatio(DURATION, 'postgres'),
  scale_ratio: () => scaleRatio(DURATION),
  dial_latency_p99: () => dialLatency(DURATION),
  events_lag_p99: () => eventsLag(DURATION),
  sip_cps_ratio: () => sipCpsRatio(),
  sip_driver_floor: () => sipDriverFloor(),
  sip_rss_delta: () => sipRssDelta(),
  pacing_occupancy: () => pacingOccupancy(),
  pacing_small_team: () => pacingSmallTeam(),
  media_legs: () => mediaLegs(),
};
for (const [name, run] of Object.entries(measures)) {
  if (only && only !== name) continue;
  process.stdout.write(`${await run()}\n`);
}
await stopBenchPostgres();
// Every measure of shared/bench.md; any without a runner above is reported as such.
const ALL_MEASURES = [
  'accept_ratio',
  'accept_ratio_pg',
  'dial_latency_p99',
  'sip_cps_ratio',
  'sip_rss_delta',
  'events_lag_p99',
  'scale_ratio',
  'pacing_occupancy',
  'pacing_small_team',
];
const missing = ALL_MEASURES.filter((name) => !(name in measures));
if (!only && missing.length > 0) process.stdout.write(`${missing.join(', ')}: not measured yet\n`);
