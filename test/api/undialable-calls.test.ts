import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { LegHandle } from '../../src/domain/telephony.ts';
import { SandboxDriver } from '../../src/telephony/sandbox/sandbox-driver.ts';
import { magicNumberInWindowNow, waitForCallStatus } from '../support/calls.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';

type Json = Record<string, unknown>;
type Problem = Json & { errors?: Array<{ pointer: string; code: string; detail: string; hint?: string }> };

/** The sandbox, except that bridging the agent and the contact fails for calls to `failBridgeTo`. */
class BridgeFailingDriver extends SandboxDriver {
  readonly #contactNumbers = new Map<string, string>();
  constructor(private readonly failBridgeTo: string) {
    super({ timeScale: 0.01 });
  }
  override dial(...args: Parameters<SandboxDriver['dial']>): LegHandle {
    const [request] = args;
    if (request.target.kind === 'phone') this.#contactNumbers.set(request.legId, request.target.number);
    return super.dial(...args);
  }
  override async bridge(a: LegHandle, b: LegHandle): Promise<void> {
    if (this.#contactNumbers.get(b.legId) === this.failBridgeTo) throw new Error('media bridge refused');
    return super.bridge(a, b);
  }
}

let server: TestServer;
const BRIDGE_FAILS = magicNumberInWindowNow('0100');

before(async () => {
  server = await startTestServer({
    driver: new BridgeFailingDriver(BRIDGE_FAILS),
    env: { PCONN_DIALER_POLL_MS: '20', PCONN_DIALER_AGENT_WAIT_MS: '60000' },
  });
  await server.request('PUT', '/v1/caller-ids/+14155550100', { body: { verified: true } });
  for (const [id, status] of [
    ['agent-on', 'active'],
    ['agent-off', 'disabled'],
  ] as const) {
    await server.request('PUT', `/v1/users/${id}`, {
      body: { name: id, status, device: { type: 'sip', uri: `sip:${id}@127.0.0.1` } },
    });
  }
  const campaigns: Array<[string, string[]]> = [
    ['nobody', []],
    ['only-disabled', ['agent-off', 'ghost-user']],
    ['staffed', ['agent-on']],
  ];
  for (const [id, agentIds] of campaigns) {
    await server.request('PUT', `/v1/campaigns/${id}`, {
      body: { name: id, agentIds, timezone: 'UTC', callingWindow: { start: '00:00', end: '00:00' } },
    });
    await server.request('POST', `/v1/campaigns/${id}/start`);
    await server.request('PUT', `/v1/contacts/ct-${id}`, {
      body: {
        externalId: `ct-${id}`,
        phoneNumbers: [{ phoneType: 'mobile', number: magicNumberInWindowNow('0106') }],
      },
    });
    await server.request('POST', `/v1/campaigns/${id}/contacts`, { body: { contactIds: [`ct-${id}`] } });
  }
});

after(() => server.close());

describe('calls that could never be dialled', () => {
  for (const campaign of ['nobody', 'only-disabled']) {
    test(`campaign '${campaign}' (no active agent): 422 at accept with a hint, and the dry run says so`, async () => {
      const path = `/v1/campaigns/${campaign}/calls`;
      const refused = await server.request<Problem>('POST', path, { body: { contactId: `ct-${campaign}` } });
      assert.equal(refused.status, 422, refused.text);
      assert.equal(refused.body.code, 'campaign_has_no_agents');
      assert.equal(refused.body.errors?.[0]?.pointer, '/userId');
      assert.match(
        refused.body.errors?.[0]?.hint ?? '',
        new RegExp(`PUT /v1/campaigns/${campaign} .*agentIds`),
      );
      const calls = await server.request<{ data: Json[] }>('GET', `/v1/calls?campaignId=${campaign}`);
      assert.deepEqual(calls.body.data, [], 'nothing was written');

      const dry = await server.request<Json>('POST', `${path}?dryRun=true`, {
        body: { contactId: `ct-${campaign}` },
      });
      assert.equal(dry.status, 200, dry.text);
      assert.equal(dry.body.allowed, false);
      assert.equal(dry.body.nextAllowedAt, null);
      const rules = (dry.body.decision as { rules: Array<{ rule: string; result: string; hint?: string }> })
        .rules;
      const agents = rules.find((r) => r.rule === 'agents');
      assert.equal(agents?.result, 'fail');
      assert.match(agents?.hint ?? '', /agentIds/);
    });
  }

  test('a staffed campaign accepts; its dry run lists the agents rule as passed', async () => {
    const dry = await server.request<Json>('POST', '/v1/campaigns/staffed/calls?dryRun=true', {
      body: { contactId: 'ct-staffed' },
    });
    assert.equal(dry.body.allowed, true, dry.text);
    const rules = (dry.body.decision as { rules: Array<{ rule: string; result: string }> }).rules;
    assert.deepEqual(
      rules.find((r) => r.rule === 'agents'),
      { rule: 'agents', result: 'pass', detail: '1 active agent can take the call.' },
    );
  });

  test('a call that waits for a busy agent says so on its timeline, once', async () => {
    // 555-0106 answers and never hangs up: agent-on stays busy with the first call.
    const first = await server.request<Json>('POST', '/v1/campaigns/staffed/calls', {
      body: { contactId: 'ct-staffed' },
    });
    assert.equal(first.status, 202, first.text);
    await waitForCallStatus(server, first.body.id as string, ['connected']);
    const second = await server.request<Json>('POST', '/v1/calls', {
      body: { userId: 'agent-on', to: magicNumberInWindowNow('0106'), outsideWindow: 'schedule' },
    });
    assert.equal(second.status, 202, second.text);
    const id = second.body.id as string;
    const deadline = Date.now() + 10_000;
    let types: string[] = [];
    while (!types.includes('call.waiting_for_agent') && Date.now() < deadline) {
      const events = await server.request<{ data: Json[] }>('GET', `/v1/calls/${id}/events`);
      types = events.body.data.map((e) => e.type as string);
      if (!types.includes('call.waiting_for_agent')) await new Promise((r) => setTimeout(r, 20));
    }
    assert.deepEqual(types, ['call.queued', 'call.waiting_for_agent']);
    const events = await server.request<{ data: Array<{ data: Json }> }>('GET', `/v1/calls/${id}/events`);
    assert.match(String(events.body.data[1]?.data.detail), /User 'agent-on' is busy/);
    await server.request('POST', `/v1/calls/${id}/cancel`);
    await server.request('POST', `/v1/calls/${first.body.id}/cancel`);
  });
});

describe('422 problems point where the contract says', () => {
  test('contact_not_found, contact_not_in_campaign, user_not_found, user_unavailable, caller_id_not_verified, phone_type_not_on_contact', async () => {
    await server.request('PUT', '/v1/contacts/ct-outsider', {
      body: { externalId: 'ct-outsider', phoneNumbers: [{ phoneType: 'mobile', number: '+12125550100' }] },
    });
    await server.request('PUT', '/v1/campaigns/unverified', {
      body: { name: 'u', agentIds: ['agent-on'], callerId: '+12125550177' },
    });
    await server.request('POST', '/v1/campaigns/unverified/start');
    await server.request('POST', '/v1/campaigns/unverified/contacts', {
      body: { contactIds: ['ct-outsider'] },
    });
    const cases: Array<[string, string, Json, string, string]> = [
      [
        'contact_not_found',
        '/v1/campaigns/staffed/calls',
        { contactId: 'ghost' },
        '/contactId',
        'contact_not_found',
      ],
      [
        'not a member',
        '/v1/campaigns/staffed/calls',
        { contactId: 'ct-outsider' },
        '/contactId',
        'contact_not_in_campaign',
      ],
      [
        'unknown user',
        '/v1/campaigns/staffed/calls',
        { contactId: 'ct-staffed', userId: 'ghost' },
        '/userId',
        'user_not_found',
      ],
      [
        'disabled user',
        '/v1/calls',
        { userId: 'agent-off', to: '+12125550100' },
        '/userId',
        'user_unavailable',
      ],
      [
        'campaign caller id',
        '/v1/campaigns/unverified/calls',
        { contactId: 'ct-outsider' },
        '/callerId',
        'caller_id_not_verified',
      ],
      [
        'request caller id',
        '/v1/calls',
        { userId: 'agent-on', to: '+12125550100', callerId: '+12125550188' },
        '/callerId',
        'caller_id_not_verified',
      ],
      [
        'phone type',
        '/v1/campaigns/staffed/calls',
        { contactId: 'ct-staffed', phoneType: 'work' },
        '/phoneType',
        'phone_type_not_on_contact',
      ],
    ];
    for (const [what, path, body, pointer, code] of cases) {
      const res = await server.request<Problem>('POST', path, { body });
      assert.equal(res.status, 422, `${what}: ${res.text}`);
      assert.equal(res.body.code, code, what);
      assert.equal(res.body.errors?.[0]?.pointer, pointer, `${what}: ${res.text}`);
      assert.equal(res.body.errors?.[0]?.code, code, what);
    }
  });
});

describe('a contact who answered but was never bridged', () => {
  test('ends the call as abandoned, never a quiet retry', async () => {
    await server.request('PUT', '/v1/contacts/ct-bridge', {
      body: { externalId: 'ct-bridge', phoneNumbers: [{ phoneType: 'mobile', number: BRIDGE_FAILS }] },
    });
    await server.request('PUT', '/v1/campaigns/bridging', {
      body: {
        name: 'bridging',
        agentIds: ['agent-on'],
        timezone: 'UTC',
        callingWindow: { start: '00:00', end: '00:00' },
        retryPolicy: { network_error: { retry: true, gapSeconds: 60 } },
      },
    });
    await server.request('POST', '/v1/campaigns/bridging/start');
    await server.request('POST', '/v1/campaigns/bridging/contacts', { body: { contactIds: ['ct-bridge'] } });
    const created = await server.request<Json>('POST', '/v1/campaigns/bridging/calls', {
      body: { contactId: 'ct-bridge' },
    });
    assert.equal(created.status, 202, created.text);
    // Until its first attempt has ended, whatever the call became then.
    const deadline = Date.now() + 15_000;
    let call: Json = created.body;
    let attempts: Array<{ outcome: string; sipReason: string; endedAt: string | null }> = [];
    while (!attempts[0]?.endedAt && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
      call = (await server.request<Json>('GET', `/v1/calls/${created.body.id}`)).body;
      attempts = call.attempts as typeof attempts;
    }
    assert.equal(call.status, 'failed', JSON.stringify(call));
    assert.equal(call.outcome, 'abandoned');
    assert.equal(attempts[0]?.outcome, 'abandoned');
    assert.match(attempts[0]?.sipReason ?? '', /bridge failed: media bridge refused/);
  });
});
