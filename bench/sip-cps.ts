/**
 * sip_cps_ratio (shared/bench.md): bridged calls per second through pconn's SIP driver, with
 * sipp as both the agents' phones and the contacts' trunk, divided by what sipp UAC → sipp UAS
 * manages on the same machine in the same run. Both runs must end with 0 failed calls.
 * sip_cps_ratio_pg is the same on a durable PostgreSQL (fsync on) instead of the embedded store.
 * Every call has an agent of its own, so no call waits for one: the measure is pconn, not agent
 * scarcity.
 */
import type { SipDriver } from '../src/telephony/sip-driver.ts';
import { freeUdpPort } from '../test/e2e/support/sipp.ts';
import { withPostgres } from './support/accept-load.ts';
import { SIP_BENCH_ENV, seedBenchCampaign, startBenchPconn } from './support/bench-pconn.ts';
import { runScenario, sippToSippCps } from './support/sipp-process.ts';
import { profileSql } from './support/sql-profile.ts';

const CALLS = Number(process.env.BENCH_SIP_CALLS ?? 300);
/** One agent per call: however the calls overlap, a free agent is always there (BENCH_SIP_AGENTS: fewer). */
const AGENTS = Number(process.env.BENCH_SIP_AGENTS ?? CALLS);

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
    for (let i = 0; i < CALLS; i += 20)
      await Promise.all(
        Array.from({ length: Math.min(20, CALLS - i) }, (_, j) =>
          call('POST', '/v1/campaigns/bench/calls', {
            contact: {
              externalId: `sip-${i + j}`,
              timezone: 'UTC',
              phoneNumbers: [{ phoneType: 'mobile', number: '+12125550120' }],
            },
          }),
        ),
      );
    const codes = await Promise.race([
      Promise.all([agent.done, contact.done]),
      new Promise<null>((resolve) => setTimeout(() => resolve(null), 120_000)),
    ]);
    const seconds = (performance.now() - started) / 1000;
    if (sqlReport) process.stderr.write(`statements (count, total time):\n${sqlReport.report()}\n`);
    const completed = await call('GET', '/v1/calls?campaignId=bench&status=completed&limit=200');
    const stats = (pconn.driver as SipDriver).address;
    return {
      cps: CALLS / seconds,
      ok: codes?.every((code) => code === 0) ?? false,
      detail: `${CALLS} calls, sipp exit ${codes ? codes.join('/') : 'timeout'}, first page completed ${(completed.data as unknown[]).length}, SIP port ${stats.port}`,
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
  const failures = baseline.ok && ours.ok ? '0 failures' : 'FAILED CALLS (see sipp exit codes)';
  const name = store === 'pglite' ? 'sip_cps_ratio' : 'sip_cps_ratio_pg';
  const where = store === 'pglite' ? 'embedded store' : 'PostgreSQL 18, fsync on';
  return `${name}: ${ratio.toFixed(3)} (goal ≥ 0.15; pconn ${ours.cps.toFixed(1)} bridged calls/s on the ${where}, sipp→sipp ${baseline.cps.toFixed(0)} calls/s; ${failures}; ${AGENTS} agents for ${CALLS} calls; ${ours.detail})`;
}
