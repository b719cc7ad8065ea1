/**
 * The embedded store's thread with its statements timed (BENCH_SQL_PROFILE, via
 * startBenchPconn): installs sql-profile.ts's hooks on this thread's PGlite, loads the real
 * entry (src/wiring/store-thread.ts, so the same operations are served), and prints the top
 * statements to stderr every BENCH_SQL_PROFILE_SECONDS (default 10; each report covers the
 * period since the previous one) and when the store closes.
 */
import { writeSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { profileSql } from './sql-profile.ts';

const profile = profileSql();
const print = (what: string) => {
  writeSync(
    2,
    `store thread: statements ${what} (count, total time, rows, result size):\n${profile.report()}\n`,
  );
  profile.reset();
};
setInterval(
  () => print('of the last period'),
  Number(process.env.BENCH_SQL_PROFILE_SECONDS ?? 10) * 1000,
).unref();
parentPort?.on('message', (request: { kind?: string }) => {
  if (request.kind === 'close') print('since the last report');
});
await import('../../src/wiring/store-thread.ts');
