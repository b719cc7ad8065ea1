/**
 * A pconn node for the benches, in its own process so the load generator does not share its
 * event loop (an in-process client would share its thread with pconn's HTTP, SIP and dialer
 * and measure itself). Seeds a running campaign with 60 agents and BENCH_CONTACTS contacts,
 * then reports `{url, token, contactIds}` over IPC, and each first agent dial as
 * `{type: 'dial', callId, at}` (`at` in epoch ms, comparable across processes).
 *
 * BENCH_DATABASE_URL runs it on PostgreSQL instead of the embedded store; BENCH_SEED=0 skips the
 * seeding (a second node joining a database the first one seeded); BENCH_DIAL_LOG=<file> has the
 * sandbox append every leg it dials there (one JSON line each).
 */
import { SandboxDriver } from '../../src/telephony/sandbox/sandbox-driver.ts';
import { importBenchContacts, seedBenchCampaign, startBenchPconn } from '../support/bench-pconn.ts';

const contacts = Number(process.env.BENCH_CONTACTS ?? 5000);
const node = await startBenchPconn(
  {
    PCONN_DIALER: process.env.PCONN_DIALER ?? 'on',
    PCONN_WEBHOOK_ALLOW_PRIVATE: process.env.PCONN_WEBHOOK_ALLOW_PRIVATE ?? '',
    ...(process.env.BENCH_DATABASE_URL ? { DATABASE_URL: process.env.BENCH_DATABASE_URL } : {}),
    ...(process.env.PCONN_WEBHOOK_CONCURRENCY
      ? { PCONN_WEBHOOK_CONCURRENCY: process.env.PCONN_WEBHOOK_CONCURRENCY }
      : {}),
  },
  {
    driver: new SandboxDriver({
      timeScale: 0.01,
      // scale_ratio: every dial of every node, to check afterwards that none was dialled twice.
      dialLog: process.env.BENCH_DIAL_LOG,
      onDial: (leg) => {
        // The dialer still dials while the node closes, after the bench has disconnected: a
        // dial then has no one to report to (and a send would crash the node with EPIPE).
        if (leg.legId.endsWith('/1/agent') && process.connected)
          process.send?.(
            { type: 'dial', callId: leg.legId.split('/')[0], at: performance.timeOrigin + performance.now() },
            undefined,
            {},
            () => undefined,
          );
      },
    }),
  },
);
const { pconn, url, token } = node;
async function seed(): Promise<void> {
  await seedBenchCampaign(
    node,
    { count: 60, deviceUri: (i) => `sip:agent${i}@127.0.0.1` },
    { maxAttemptsPerContact: 50, retryPolicy: { minRedialGapSeconds: 0 } },
  );
  await importBenchContacts(node, contacts);
}
if (process.env.BENCH_SEED !== '0') await seed();
const rows = await pconn.store.db.selectFrom('contacts').select('id').orderBy('seq').execute();
// BENCH_CPU_REPORT: the node's own CPU from ready to disconnect (robust to a shared, loaded machine).
const cpuAtReady = process.cpuUsage();
process.send?.({ type: 'ready', url, token, contactIds: rows.map((r) => r.id) });
process.on('disconnect', () => {
  if (process.env.BENCH_CPU_REPORT) {
    const { user, system } = process.cpuUsage(cpuAtReady);
    process.stderr.write(`pconn-node cpu: ${((user + system) / 1000).toFixed(0)} ms since ready\n`);
  }
  void node.close().then(() => process.exit(0));
});
