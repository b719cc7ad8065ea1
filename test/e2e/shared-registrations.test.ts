import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { type CrashApi, CrashServer } from '../support/crash-server.ts';
import { createTestDatabase, stopTestPostgres } from '../support/postgres-server.ts';
import { T1_MS } from './support/pconn-sip.ts';
import { freeUdpPort, type Sipp, sippResult, skipWithoutSipp, startSipp } from './support/sipp.ts';

/*
 * Issue 15 point 4 end to end: two pconn processes on one PostgreSQL, and a softphone (sipp
 * registers.xml, whose Contact is the agent sipp) registered with node A only. Calls accepted by
 * either node ring it — node B hands its calls to A, which holds the phone's flow. Node A is then
 * killed with SIGKILL: the phone re-registers with B and is rung again, and no call is lost.
 */

const skip = skipWithoutSipp();
const SECRET = 'shared-registrations-secret-0123456789';
const cleanups: Array<() => Promise<void> | void> = [];

after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  await stopTestPostgres();
});

/** A pconn node with the SIP driver on its own UDP port, on the shared database. */
async function startNode(databaseUrl: string): Promise<{ node: CrashServer; sipPort: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'pconn-shared-reg-'));
  const sipPort = await freeUdpPort();
  const node = new CrashServer({
    dir,
    secret: SECRET,
    env: {
      DATABASE_URL: databaseUrl,
      PCONN_TELEPHONY: 'sip',
      PCONN_SIP_LISTEN: `udp://127.0.0.1:${sipPort}`,
      PCONN_SIP_T1_MS: String(T1_MS),
      PCONN_SIP_REALM: 'pconn.test',
      PCONN_SIP_KEEPALIVE_SECONDS: '0',
      // Generous on a shared 2-core machine; the phone and the contact answer at once.
      PCONN_AGENT_RING_SECONDS: '20',
      PCONN_CONTACT_RING_SECONDS: '20',
    },
  });
  cleanups.push(() => {
    node.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  await node.start();
  return { node, sipPort };
}

async function sipp(options: Parameters<typeof startSipp>[0]): Promise<Sipp> {
  const peer = await startSipp(options);
  cleanups.push(() => peer.stop());
  return peer;
}

let contacts = 0;

/** A campaign call for the registered agent to a fresh contact, accepted by the node of `api`. */
async function placeCall(api: CrashApi): Promise<string> {
  contacts += 1;
  const call = await api('POST', '/v1/campaigns/shared/calls', {
    userId: 'agent',
    contact: {
      externalId: `shared-${contacts}`,
      timezone: 'UTC',
      phoneNumbers: [{ phoneType: 'mobile', number: `+121255501${String(40 + contacts)}` }],
    },
  });
  return call.id as string;
}

/** The call once it has ended (completed, failed or canceled), polled through `api`. */
async function endedCall(api: CrashApi, id: string, timeoutMs: number): Promise<Record<string, unknown>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const call = await api('GET', `/v1/calls/${id}`);
    if (['completed', 'failed', 'canceled'].includes(call.status as string)) return call;
    if (Date.now() > deadline) throw new Error(`call ${id} did not end: ${JSON.stringify(call)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const outcomes = (call: Record<string, unknown>) =>
  (call.attempts as Array<{ outcome: string | null; sipStatus: number | null }>).map(
    (attempt) => `${attempt.outcome}/${attempt.sipStatus}`,
  );

test('a phone registered with one node is rung for calls accepted by either; after a SIGKILL it re-registers with the other and no call is lost', {
  skip,
  timeout: 240_000,
}, async () => {
  const database = await createTestDatabase();
  cleanups.push(() => database.drop());
  const { node: a, sipPort: sipA } = await startNode(database.url);
  const { node: b, sipPort: sipB } = await startNode(database.url);
  const phone = await sipp({ scenario: 'agent-answers.xml', calls: 4 });
  const contact = await sipp({ scenario: 'contact-hangs-up.xml', calls: 4 });
  await a.api('PUT', '/v1/caller-ids/+14155550100', { verified: true });
  await a.api('PUT', '/v1/trunks/default', { uri: `sip:127.0.0.1:${contact.port}` });
  await a.api('PUT', '/v1/users/agent', {
    name: 'Agent',
    device: { type: 'registered', username: 'alice', password: 'alice-sip-secret' },
  });
  await a.api('PUT', '/v1/campaigns/shared', {
    name: 'Shared registrations',
    callerId: '+14155550100',
    callingWindow: { start: '00:00', end: '00:00' },
    timezone: 'UTC',
    maxAttemptsPerContact: 1,
  });
  await a.api('POST', '/v1/campaigns/shared/start');
  const register = async (sipPort: number) => {
    const registration = await sipp({
      scenario: 'registers.xml',
      remote: `127.0.0.1:${sipPort}`,
      keys: { agent_port: phone.port },
    });
    assert.equal(await sippResult(registration, 30_000), 0, `REGISTER failed:\n${registration.errors()}`);
  };
  await register(sipA);

  // Accepted by A, and by B (B's dialer claims it — it is woken by the accept — and hands it to
  // A): each is rung on its first attempt, never a 480 for a phone B does not hold.
  for (const api of [a.api, b.api]) {
    const call = await endedCall(api, await placeCall(api), 60_000);
    assert.equal(call.status, 'completed', JSON.stringify(call));
    assert.deepEqual(outcomes(call), ['answered/200'], 'rung at the first attempt');
  }

  // A dies with the phone's flow. A call accepted now is not lost: it waits for A while A's
  // heartbeat lasts, then B dials it — through the phone's new registration with B, or after a
  // 480 (agent_no_answer: back to the queue) if the phone had not re-registered yet.
  await a.kill();
  const duringOutage = await placeCall(b.api);
  await register(sipB);
  const recovered = await endedCall(b.api, duringOutage, 120_000);
  assert.equal(recovered.status, 'completed', JSON.stringify(recovered));
  assert.equal(outcomes(recovered).at(-1), 'answered/200', JSON.stringify(recovered));

  const afterwards = await endedCall(b.api, await placeCall(b.api), 60_000);
  assert.equal(afterwards.status, 'completed', JSON.stringify(afterwards));
  assert.deepEqual(outcomes(afterwards), ['answered/200'], 'the phone is rung through B at once');
  assert.equal(await sippResult(phone, 30_000), 0, `the phone saw four calls:\n${phone.errors()}`);
  assert.equal(await sippResult(contact, 30_000), 0, `the contact saw four calls:\n${contact.errors()}`);
});
