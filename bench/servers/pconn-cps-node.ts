/**
 * The pconn node of sip_cps_ratio(_pg), in its own process like every server under load (the
 * bench's 50 API clients must not run on pconn's thread): the SIP driver, the embedded store or
 * BENCH_DATABASE_URL, a trunk to the contacts' sipp at 127.0.0.1:BENCH_CONTACT_PORT and a running
 * campaign `bench` of BENCH_AGENTS agents whose phones are one sipp at 127.0.0.1:BENCH_AGENT_PORT.
 * Reports `{type: 'ready', url, token}`; answers `{type: 'count'}` with `{type: 'counts',
 * unfinished}` (calls not yet ended), and `{type: 'count', full: true}` with `statuses` (calls
 * per status), `waited` (how many calls ever waited for an agent) and `failures`. The bench
 * polls every 20 ms while calls end, so the poll counts only the calls still waiting or live,
 * through the partial indexes of those phases; the full answer scans the calls and the timeline
 * and is asked once. Counting every call's status in each poll took ~4 ms of the store's time
 * every 20 ms at the end of each run (8,000 calls; BENCH_SQL_PROFILE), and the timeline's scans
 * ~7 ms of PostgreSQL's (pg_stat_statements): the measured node's store slowed by the harness.
 */
import { sql } from 'kysely';
import { inLivePhase, inWaitingPhase } from '../../src/store/calls/call-phase.ts';
import { SIP_BENCH_ENV, seedBenchCampaign, startBenchPconn } from '../support/bench-pconn.ts';

const node = await startBenchPconn({
  ...SIP_BENCH_ENV,
  ...(process.env.BENCH_DATABASE_URL ? { DATABASE_URL: process.env.BENCH_DATABASE_URL } : {}),
});
const { pconn, url, token, call } = node;
await call('PUT', '/v1/trunks/default', {
  uri: `sip:127.0.0.1:${process.env.BENCH_CONTACT_PORT}`,
  maxConcurrent: 1000,
  cps: 1000,
});
await seedBenchCampaign(node, {
  count: Number(process.env.BENCH_AGENTS ?? 1000),
  deviceUri: (i) => `sip:agent${i}@127.0.0.1:${process.env.BENCH_AGENT_PORT}`,
});

process.on('message', (message: { type?: string; full?: boolean }) => {
  if (message.type !== 'count') return;
  void (async () => {
    const db = pconn.store.db;
    if (!message.full) {
      const unfinished = await sql<{ n: number }>`
        select (select count(*) from calls where ${inWaitingPhase()})::int
          + (select count(*) from calls where ${inLivePhase()})::int as n`.execute(db);
      process.send?.({ type: 'counts', unfinished: unfinished.rows[0]?.n ?? 0 });
      return;
    }
    const { rows } = await sql<{ status: string; n: number }>`
      select status, count(*)::int as n from calls group by status order by status`.execute(db);
    const waited = await sql<{ n: number }>`
      select count(*)::int as n from call_events where type = 'call.waiting_for_agent'`.execute(db);
    // Why calls failed, so that a failed run says more than a count.
    const failures = await sql<{ data: unknown }>`
      select e.data from call_events e join calls c on c.id = e.call_id
       where c.status = 'failed' and e.type = 'call.failed' limit 5`.execute(db);
    process.send?.({
      type: 'counts',
      failures: failures.rows.map((r) => JSON.stringify(r.data)),
      statuses: Object.fromEntries(rows.map((r) => [r.status, r.n])),
      waited: waited.rows[0]?.n ?? 0,
    });
  })();
});
process.send?.({ type: 'ready', url, token });
process.on('disconnect', () => {
  void node.close().then(() => process.exit(0));
});
