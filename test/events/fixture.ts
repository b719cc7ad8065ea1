import type { TestServer } from '../support/test-server.ts';

type Json = Record<string, unknown>;

/** Environment of an events test server: scaled sandbox, fast polls, a short retry schedule. */
export const EVENTS_ENV = {
  PCONN_SANDBOX_TIME_SCALE: '0.01',
  PCONN_DIALER_POLL_MS: '20',
  PCONN_EVENTS_POLL_MS: '50',
  PCONN_WEBHOOK_RETRY_SCHEDULE: '100ms,200ms,300ms,400ms,500ms,500ms,500ms,500ms,500ms,500ms,500ms,500ms',
  PCONN_WEBHOOK_TIMEOUT_MS: '2000',
  PCONN_RATE_LIMIT_RPS: '0',
};

/** A verified caller id, agents and a running always-open campaign `id` (no retries). */
export async function setUpCampaign(
  server: TestServer,
  id: string,
  options: { token?: string; agents?: number } = {},
): Promise<void> {
  const token = options.token;
  const put = async (path: string, body: unknown) => {
    const res = await server.request('PUT', path, { body, token });
    if (res.status >= 300) throw new Error(`PUT ${path} → ${res.status} ${res.text}`);
  };
  await put('/v1/caller-ids/+14155550100', { verified: true });
  const agents = Array.from({ length: options.agents ?? 10 }, (_, i) => `${id}-agent-${i}`);
  for (const agent of agents)
    await put(`/v1/users/${agent}`, { name: agent, device: { type: 'sip', uri: `sip:${agent}@127.0.0.1` } });
  await put(`/v1/campaigns/${id}`, {
    name: id,
    callerId: '+14155550100',
    agentIds: agents,
    callingWindow: { start: '00:00', end: '00:00' },
    timezone: 'UTC',
    maxAttemptsPerContact: 1,
  });
}

/** Starts a campaign (its campaign.status_changed event). */
export async function startCampaign(server: TestServer, id: string, token?: string): Promise<void> {
  const res = await server.request('POST', `/v1/campaigns/${id}/start`, { token });
  if (res.status !== 200) throw new Error(`start → ${res.status} ${res.text}`);
}

/** Places a campaign call to `number` for a new inline contact; returns the call. */
export async function placeCall(
  server: TestServer,
  campaignId: string,
  number: string,
  options: { token?: string; notBefore?: string; externalId?: string } = {},
): Promise<Json> {
  const res = await server.request<Json>('POST', `/v1/campaigns/${campaignId}/calls`, {
    token: options.token,
    body: {
      contact: {
        externalId: options.externalId ?? `c-${Math.random().toString(36).slice(2)}`,
        timezone: 'UTC',
        phoneNumbers: [{ phoneType: 'mobile', number }],
      },
      ...(options.notBefore ? { notBefore: options.notBefore } : {}),
    },
  });
  if (res.status !== 202) throw new Error(`call → ${res.status} ${res.text}`);
  return res.body;
}

/** A call's outbox timeline (GET /v1/calls/{id}/events). */
export async function timeline(
  server: TestServer,
  callId: string,
  token?: string,
): Promise<Array<{ id: string; type: string; sequence: number }>> {
  const res = await server.request<{ data: Array<{ id: string; type: string; sequence: number }> }>(
    'GET',
    `/v1/calls/${callId}/events`,
    { token },
  );
  return res.body.data;
}

/** True for the four terminal call event types. */
export function isTerminal(type: string): boolean {
  return ['call.completed', 'call.failed', 'call.canceled', 'call.blocked'].includes(type);
}

/** Polls a call (with `token`) until it is terminal; returns it. */
export async function waitForEnd(
  server: TestServer,
  id: string,
  token?: string,
  timeoutMs = 20_000,
): Promise<Json> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await server.request<Json>('GET', `/v1/calls/${id}`, { token });
    if (['completed', 'failed', 'canceled', 'blocked'].includes(res.body.status as string)) return res.body;
    if (Date.now() > deadline) throw new Error(`call ${id} did not end: ${res.text}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
