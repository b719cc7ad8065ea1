import type { Logger } from 'pino';
import { waitForCallStatus } from '../../support/calls.ts';
import { startTestServer, type TestServer } from '../../support/test-server.ts';

/** Ring timeouts of the e2e node, seconds: short, so no-answer tests end quickly. */
export const RING_SECONDS = 3;
/**
 * T1 of the e2e node: Timer B = 64·T1 = 6.4 s. Not lower: on a loaded 2-core machine a
 * 50 ms T1 retransmits INVITEs before the peer's prompt 180 is read, and sipp takes such a
 * late retransmission for the re-INVITE its scenario waits for.
 */
export const T1_MS = 100;

/**
 * A pconn node with the SIP driver on 127.0.0.1 (OS-picked SIP port) and an e2e campaign;
 * `env` overrides its settings; `logger` replaces the silent one (tests that read the log).
 */
export async function startSipServer(env: Record<string, string> = {}, logger?: Logger): Promise<TestServer> {
  const server = await startTestServer({
    ...(logger ? { logger } : {}),
    env: {
      PCONN_TELEPHONY: 'sip',
      PCONN_SIP_LISTEN: 'udp://127.0.0.1:0',
      PCONN_SIP_T1_MS: String(T1_MS),
      PCONN_SIP_REALM: 'pconn.test',
      PCONN_AGENT_RING_SECONDS: String(RING_SECONDS),
      PCONN_CONTACT_RING_SECONDS: String(RING_SECONDS),
      PCONN_DIALER_POLL_MS: '20',
      // sipp takes an OPTIONS probe for a new call its scenario does not expect (and fails it).
      PCONN_SIP_KEEPALIVE_SECONDS: '0',
      ...env,
    },
  });
  await expectOk(server, 'PUT', '/v1/caller-ids/+14155550100', { verified: true });
  await expectOk(server, 'PUT', '/v1/campaigns/e2e', {
    name: 'SIP end to end',
    callerId: '+14155550100',
    callingWindow: { start: '00:00', end: '00:00' },
    timezone: 'UTC',
    // One attempt per contact: every test sees the outcome of exactly one dial.
    maxAttemptsPerContact: 1,
  });
  await expectOk(server, 'POST', '/v1/campaigns/e2e/start');
  return server;
}

/** Sends a request and throws with the body unless it answered 2xx. */
export async function expectOk(
  server: TestServer,
  method: string,
  path: string,
  body?: unknown,
): Promise<Record<string, unknown>> {
  const res = await server.request(method, path, body === undefined ? {} : { body });
  if (res.status >= 300) throw new Error(`${method} ${path} → ${res.status}: ${res.text}`);
  return res.body;
}

/** Where the call goes: the agent's device, the contact's trunk. */
export interface CallSetup {
  agentDevice: Record<string, unknown>;
  trunk: Record<string, unknown>;
}

let contacts = 0;

/**
 * Configures the agent and the trunk through the API, places a campaign call to a fresh
 * contact and returns the call id.
 */
export async function placeCall(server: TestServer, setup: CallSetup): Promise<string> {
  await expectOk(server, 'PUT', '/v1/trunks/default', setup.trunk);
  await expectOk(server, 'PUT', '/v1/users/agent', { name: 'Agent', device: setup.agentDevice });
  contacts += 1;
  const number = `+121255501${String(30 + contacts).padStart(2, '0')}`;
  const call = await expectOk(server, 'POST', '/v1/campaigns/e2e/calls', {
    userId: 'agent',
    contact: {
      externalId: `e2e-${contacts}-${Date.now()}`,
      timezone: 'UTC',
      phoneNumbers: [{ phoneType: 'mobile', number }],
    },
  });
  return call.id as string;
}

/**
 * The call once it is in one of `statuses`, with its first attempt. A status the call also has
 * before its first dial (`queued`, `scheduled`: a retry puts it back there) counts only once that
 * attempt has ended, so a test never reads the call before the dialer has claimed it.
 */
export async function settledCall(
  server: TestServer,
  id: string,
  statuses = ['completed', 'failed', 'canceled'],
  timeoutMs = 15_000,
): Promise<{ status: string; outcome: string | null; attempt: Record<string, unknown> }> {
  const deadline = Date.now() + timeoutMs;
  let call = await waitForCallStatus(server, id, statuses, timeoutMs);
  const firstAttemptEnded = () => Boolean((call.attempts as Array<{ endedAt?: string }>)[0]?.endedAt);
  while (['queued', 'scheduled'].includes(call.status as string) && !firstAttemptEnded()) {
    call = await waitForCallStatus(server, id, statuses, Math.max(1, deadline - Date.now()));
    if (Date.now() > deadline) throw new Error(`call ${id} was never dialled: ${JSON.stringify(call)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
  const attempts = call.attempts as Array<Record<string, unknown>>;
  return {
    status: call.status as string,
    outcome: call.outcome as string | null,
    attempt: attempts[0] ?? {},
  };
}
