/**
 * sip_cps_ratio (shared/bench.md): bridged calls per second through pconn's SIP driver, with
 * sipp as both the agents' phones and the contacts' trunk, divided by what sipp UAC → sipp UAS
 * manages on the same machine in the same run. Both runs must end with 0 failed calls.
 * sip_cps_ratio_pg is the same on a durable PostgreSQL (fsync on) instead of the embedded store.
 * Both sides run the same number of calls (3,000), so the ramp and the contacts' 300 ms before
 * hanging up weigh the same small share; pconn's calls are requested by 50 concurrent API
 * clients, as the accept measures load it. A campaign holds up to 1,000 agents — far more than
 * are ever busy at once here — and the run checks that no call had to wait for one: the
 * measure is pconn, not agent scarcity.
 */
import { sql } from 'kysely';
import { freeUdpPort } from '../test/e2e/support/sipp.ts';
import { withPostgres } from './support/accept-load.ts';
import { SIP_BENCH_ENV, seedBenchCampaign, startBenchPconn } from './support/bench-pconn.ts';
import { runScenario, sippToSippCps } from './support/sipp-process.ts';
import { profileSql } from './support/sql-profile.ts';

const CALLS = Number(process.env.BENCH_SIP_CALLS ?? 3000);
/** Agents of the campaign (the API's limit per campaign; BENCH_SIP_AGENTS: fewer). */
const AGENTS = Number(process.env.BENCH_SIP_AGENTS ?? Math.min(CALLS, 1000));
/** API clients requesting calls at once. */
const CLIENTS = 50;

/** Bridged calls through pconn: every call rings an agent sipp, then a contact sipp that hangs up. */
async function pconnCps(
  env: Record<string, string> = {},
): Promise<{ cps: number; ok: boolean; detail: string }> {
  // pconn runs in this process here: BENCH_SQL_PROFILE=1 profiles its store from the first call.
  const sqlReport = process.env.BENCH_SQL_PROFILE ? profileSql() : undefined;
  const node = await startBenchPconn({ ...SIP_BENCH_ENV, ...env });
  const { pconn, call } = node;
  const agentPort = await freeUdpPort();
  const contactPort = await freeUdpPort();
  const agent = runScenario('agent-answers.xml', agentPort, CALLS);
  const contact = runScenario('contact-hangs-up.xml', contactPort, CALLS);
  try {
    await call('PUT', '/v1/trunks/default', {
      uri: `sip:127.0.0.1:${contactPort}`,
      maxConcurrent: 1000,
      cps: 1000,
    });
    await seedBenchCampaign(node, {
      count: AGENTS,
      deviceUri: (i) => `sip:agent${i}@127.0.0.1:${agentPort}`,
    });
    sqlReport?.reset();
    const started = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: CLIENTS }, async () => {
        for (let i = next++; i < CALLS; i = next++)
          await call('POST', '/v1/campaigns/bench/calls', {
            contact: {
              externalId: `sip-${i}`,
              timezone: 'UTC',
              phoneNumbers: [{ phoneType: 'mobile', number: '+12125550120' }],
            },
          });
      }),
    );
    const codes = await Promise.race([
      Promise.all([agent.done, contact.done]),
      new Promise<null>((resolve) => setTimeout(() => resolve(null), 300_000)),
    ]);
    const seconds = (performance.now() - started) / 1000;
    if (sqlReport) process.stderr.write(`statements (count, total time):\n${sqlReport.report()}\n`);
    const { rows } = await sql<{ status: string; n: number }>`
      select status, count(*)::int as n from calls group by status order by status`.execute(pconn.store.db);
    const statuses = rows.map((r) => `${r.n} ${r.status}`).join(', ');
    const waited = await sql<{ n: number }>`
      select count(*)::int as n from call_events where type = 'call.waiting_for_agent'`.execute(
      pconn.store.db,
    );
    const waits = waited.rows[0]?.n ?? 0;
    const completed = rows.find((r) => r.status === 'completed')?.n ?? 0;
    return {
      cps: CALLS / seconds,
      ok: (codes?.every((code) => code === 0) ?? false) && completed === CALLS && waits === 0,
      detail: `${CALLS} calls by ${CLIENTS} API clients: ${statuses}; ${waits} waited for an agent; sipp exit ${codes ? codes.join('/') : 'timeout'}`,
    };
  } finally {
    agent.kill();
    contact.kill();
    await node.close();
  }
}

/** The sip_cps_ratio (embedded store) or sip_cps_ratio_pg (PostgreSQL) line of `npm run bench`. */
export async function sipCpsRatio(store: 'pglite' | 'postgres'): Promise<string> {
  const baseline = await sippToSippCps(CALLS * 10);
  const ours =
    store === 'pglite' ? await pconnCps() : await withPostgres((url) => pconnCps({ DATABASE_URL: url }));
  const ratio = ours.cps / baseline.cps;
  const failures =
    baseline.ok && ours.ok ? '0 failures' : 'FAILED OR WAITING CALLS (see the statuses and sipp exit codes)';
  const name = store === 'pglite' ? 'sip_cps_ratio' : 'sip_cps_ratio_pg';
  const where = store === 'pglite' ? 'embedded store' : 'PostgreSQL 18, fsync on';
  return `${name}: ${ratio.toFixed(3)} (goal ≥ 0.15; pconn ${ours.cps.toFixed(1)} bridged calls/s on the ${where}, sipp→sipp ${baseline.cps.toFixed(0)} calls/s; ${failures}; ${AGENTS} agents; ${ours.detail})`;
}
