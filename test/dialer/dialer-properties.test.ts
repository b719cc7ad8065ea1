import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import { isWithinWindow } from '../../src/domain/compliance/index.ts';
import type { LegRequest } from '../../src/domain/telephony.ts';
import { SandboxDriver } from '../../src/telephony/sandbox/sandbox-driver.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';

type Json = Record<string, unknown>;
const dials: Array<{ leg: LegRequest; at: Date }> = [];
let server: TestServer;

before(async () => {
  server = await startTestServer({
    env: { PCONN_DIALER_POLL_MS: '20' },
    driver: new SandboxDriver({ timeScale: 0.01, onDial: (leg) => dials.push({ leg, at: new Date() }) }),
  });
  await server.request('PUT', '/v1/caller-ids/+14155550100', { body: { verified: true } });
  for (let i = 0; i < 10; i++)
    await server.request('PUT', `/v1/users/prop-agent-${i}`, {
      body: { name: `A${i}`, device: { type: 'sip', uri: `sip:a${i}@127.0.0.1` } },
    });
  await server.request('PUT', '/v1/dnc/+12125550188', { body: { reason: 'property test' } });
});
after(() => server.close());

const ZONES = [
  'America/New_York',
  'Europe/London',
  'Asia/Kathmandu',
  'Australia/Lord_Howe',
  'Pacific/Honolulu',
  'Asia/Tokyo',
  'UTC',
];
const hhmm = fc
  .tuple(fc.integer({ min: 0, max: 23 }), fc.constantFrom(0, 15, 30, 45))
  .map(([h, m]) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`);
const scenario = fc.record({
  zone: fc.constantFrom(...ZONES),
  window: fc.record({ start: hhmm, end: hhmm }),
  number: fc.constantFrom('+12125550100', '+12125550101', '+12125550188'),
  consent: fc.constantFrom('granted', 'revoked', 'none'),
  maxAttempts: fc.integer({ min: 1, max: 3 }),
});

test('whatever the zone, window, DNC, consent and cap, the dialer only dials what the rules allow', {
  timeout: 240_000,
}, async () => {
  const created: Array<{
    id: string;
    zone: string;
    window: { start: string; end: string };
    number: string;
    consent: string;
    maxAttempts: number;
  }> = [];
  let n = 0;
  await fc.assert(
    fc.asyncProperty(scenario, async (s) => {
      n++;
      const campaignId = `prop-${n}`;
      await server.request('PUT', `/v1/campaigns/${campaignId}`, {
        body: {
          name: campaignId,
          callerId: '+14155550100',
          agentIds: [`prop-agent-${n % 10}`],
          timezone: s.zone,
          callingWindow: s.window,
          maxAttemptsPerContact: s.maxAttempts,
          retryPolicy: { busy: { retry: true, gapSeconds: 0 }, minRedialGapSeconds: 0 },
        },
      });
      await server.request('POST', `/v1/campaigns/${campaignId}/start`);
      const contact = {
        externalId: `prop-contact-${n}`,
        timezone: s.zone,
        phoneNumbers: [{ phoneType: 'mobile', number: s.number }],
        ...(s.consent === 'none' ? {} : { consent: { status: s.consent } }),
      };
      const res = await server.request<Json>('POST', `/v1/campaigns/${campaignId}/calls`, {
        body: { contact },
      });
      // Refused at the door (DNC, revoked consent) is fine too: then it must never be dialled.
      assert.ok([202, 422].includes(res.status), res.text);
      if (res.status === 202) created.push({ id: res.body.id as string, ...s });
      else assert.equal((res.body as Json).code, 'call_blocked');
    }),
    { numRuns: 40, seed: Number(process.env.PCONN_PROPERTY_SEED ?? Date.now() % 1_000_000) },
  );
  // Let every call that is open now run to its end.
  const deadline = Date.now() + 60_000;
  for (const call of created) {
    for (;;) {
      const res = await server.request<Json>('GET', `/v1/calls/${call.id}`);
      const status = res.body.status as string;
      if (['completed', 'failed', 'blocked', 'canceled', 'scheduled'].includes(status)) break;
      if (status === 'queued' && (res.body.attempts as unknown[]).length === 0 && res.body.scheduledFor)
        break;
      if (Date.now() > deadline) throw new Error(`call ${call.id} stuck: ${res.text}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }
  assert.ok(
    dials.length > 0,
    'some scenarios were inside their window now, so the check below saw real dials',
  );
  for (const call of created) {
    const own = dials.filter((d) => d.leg.legId.startsWith(`${call.id}/`));
    const contactDials = own.filter((d) => d.leg.legId.endsWith('/contact'));
    for (const dial of own)
      assert.ok(
        isWithinWindow(dial.at, call.window, call.zone),
        `${call.id} dialled at ${dial.at.toISOString()} outside ${call.window.start}–${call.window.end} ${call.zone}`,
      );
    if (call.number === '+12125550188' || call.consent === 'revoked')
      assert.deepEqual(own, [], `${call.id} must never be dialled`);
    assert.ok(
      contactDials.length <= call.maxAttempts,
      `${call.id} dialled the contact ${contactDials.length} times, cap ${call.maxAttempts}`,
    );
  }
});
