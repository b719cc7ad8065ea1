/**
 * The reference server of accept_record_floor: a bare route that keeps an accepted call's record
 * (bench/support/floor-record.ts says what that is and how it is written) and answers 202.
 * BENCH_RECORD_FLOOR_ROWS=3 leaves the key's answer out, =2 the first entry too (its document on
 * the call row): lighter designs' floors. BENCH_FLOOR_IN_FLIGHT (2) and
 * BENCH_FLOOR_ONE_STATEMENT=0 (the reads in a statement of their own) show what the batching is
 * worth. With BENCH_DATABASE_URL the same record goes to that PostgreSQL instead
 * (accept_record_floor_pg).
 */
import { FloorRecord, openFloorStore } from '../support/floor-record.ts';
import { serveReferenceRoute } from '../support/reference-route.ts';

const store = await openFloorStore();
const record = new FloorRecord(store.db, {
  rows: Number(process.env.BENCH_RECORD_FLOOR_ROWS ?? 4),
  oneStatement: process.env.BENCH_FLOOR_ONE_STATEMENT !== '0',
  inFlight: Number(process.env.BENCH_FLOOR_IN_FLIGHT ?? 2),
});
await serveReferenceRoute(
  async () => (await record.accept()).body,
  async () => {
    await record.close();
    await store.close();
  },
);
