import assert from 'node:assert/strict';
import type { TestServer } from './test-server.ts';

/** The caller id the seeded campaigns present, verified by seedAgent. */
export const SEED_CALLER_ID = '+14155550100';

/** An active agent `id` with a SIP device, and the verified caller id the seeded campaigns use. */
export async function seedAgent(server: TestServer, id: string): Promise<void> {
  const callerId = await server.request('PUT', `/v1/caller-ids/${SEED_CALLER_ID}`, {
    body: { verified: true },
  });
  assert.ok(callerId.status < 300, callerId.text);
  const user = await server.request('PUT', `/v1/users/${id}`, {
    body: { name: id, device: { type: 'sip', uri: `sip:${id}@127.0.0.1` } },
  });
  assert.ok(user.status < 300, user.text);
}

/**
 * A campaign `id` started and running, in the shape most tests dial: the seeded caller id, UTC,
 * a calling window that is always open; `fields` adds or overrides (agentIds, retryPolicy, …).
 */
export async function startRunningCampaign(
  server: TestServer,
  id: string,
  fields: Record<string, unknown>,
): Promise<void> {
  const put = await server.request('PUT', `/v1/campaigns/${id}`, {
    body: {
      name: id,
      callerId: SEED_CALLER_ID,
      timezone: 'UTC',
      callingWindow: { start: '00:00', end: '00:00' },
      ...fields,
    },
  });
  assert.ok(put.status < 300, put.text);
  const started = await server.request<{ status: string }>('POST', `/v1/campaigns/${id}/start`);
  assert.equal(started.body.status, 'running', started.text);
}

/** Asks campaign `campaign` to call `number` for the contact `externalId` (in UTC); answers the call's id. */
export async function requestCampaignCall(
  server: TestServer,
  campaign: string,
  externalId: string,
  number: string,
): Promise<string> {
  const res = await server.request<{ id: string }>('POST', `/v1/campaigns/${campaign}/calls`, {
    body: { contact: { externalId, timezone: 'UTC', phoneNumbers: [{ phoneType: 'mobile', number }] } },
  });
  assert.equal(res.status, 202, res.text);
  return res.body.id;
}
