import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { writeWav } from '../../src/media/wav-writer.ts';
import { SandboxDriver } from '../../src/telephony/sandbox/sandbox-driver.ts';
import { waitForCallStatus } from '../support/calls.ts';
import { seedAgent, startRunningCampaign } from '../support/running-campaign.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';

/*
 * The dialer acting on answer detection (issue 16), on the sandbox driver whose 555-013N numbers
 * stand for what the analyser hears: each campaign setting leads to its outcome, the verdict is
 * on the attempt and the timeline, and prompts are played into the contact's leg. The same flows
 * over real SIP and RTP are in test/e2e/answer-detection.test.ts.
 */

type Json = Record<string, unknown>;
type Attempt = Json & { analysis: Json | null; contactAnsweredAt: string | null };
type Call = Json & { status: string; outcome: string; attempts: Attempt[] };

let server: TestServer;
const driver = new SandboxDriver({ timeScale: 0.02 });

/** `seconds` of a `hz` sine at 8 kHz. */
function tone(hz: number, seconds: number): Int16Array {
  return Int16Array.from({ length: Math.round(seconds * 8000) }, (_, i) =>
    Math.round(6000 * Math.sin((2 * Math.PI * hz * i) / 8000)),
  );
}

async function uploadPrompt(id: string, audio: Int16Array): Promise<void> {
  const put = await server.request('PUT', `/v1/prompts/${id}`, {
    rawBody: Buffer.from(writeWav(audio, 8000, 'pcm16')),
    headers: { 'content-type': 'audio/wav' },
  });
  assert.ok(put.status < 300, put.text);
}

let campaigns = 0;
/** A running campaign with answer detection as given, its agent, and one call to `suffix`. */
async function callWith(answerDetection: Json, suffix: string, extra: Json = {}): Promise<Call> {
  const id = `amd-${++campaigns}`;
  await startRunningCampaign(server, id, {
    agentIds: ['amd-agent'],
    answerDetection: { enabled: true, ...answerDetection },
    retryPolicy: { machine: { retry: false }, minRedialGapSeconds: 0 },
    maxAttemptsPerContact: 1,
    ...extra,
  });
  const placed = await server.request<Call>('POST', `/v1/campaigns/${id}/calls`, {
    body: {
      contact: {
        externalId: `${id}-contact`,
        phoneNumbers: [{ phoneType: 'mobile', number: `+1212555${suffix}` }],
        timezone: 'UTC',
      },
    },
  });
  assert.equal(placed.status, 202, placed.text);
  return (await waitForCallStatus(server, placed.body.id as string, ['completed', 'failed'], 20_000)) as Call;
}

async function timelineTypes(callId: string): Promise<string[]> {
  const events = await server.request<{ data: Array<{ type: string }> }>('GET', `/v1/calls/${callId}/events`);
  return events.body.data.map((e) => e.type);
}

before(async () => {
  server = await startTestServer({ driver, env: { PCONN_DIALER_POLL_MS: '20' } });
  await seedAgent(server, 'amd-agent');
  await uploadPrompt('machine-msg', tone(440, 1));
  await uploadPrompt('abandon-msg', tone(660, 0.5));
});
after(() => server.close());

describe('answer detection in calls (sandbox)', () => {
  test('a person is connected to the agent; the verdict is on the attempt and the timeline', async () => {
    const call = await callWith({}, '0130');
    assert.equal(call.status, 'completed', JSON.stringify(call));
    assert.equal(call.outcome, 'answered');
    const [attempt] = call.attempts;
    assert.equal(attempt?.analysis?.verdict, 'human', JSON.stringify(attempt));
    assert.ok(attempt?.contactAnsweredAt, 'the answer instant is recorded');
    assert.ok(attempt?.agentConnectedAt, 'the connect instant is recorded');
    const types = await timelineTypes(call.id as string);
    assert.ok(types.indexOf('call.analysis') < types.indexOf('call.connected'), types.join());
  });

  test('a machine with machineAction hangup ends as machine, never connected', async () => {
    const call = await callWith({ machineAction: 'hangup' }, '0131');
    assert.equal(call.status, 'failed', JSON.stringify(call));
    assert.equal(call.outcome, 'machine');
    assert.equal(call.attempts[0]?.analysis?.verdict, 'machine');
    assert.equal(call.attempts[0]?.agentConnectedAt, null);
    assert.ok(!(await timelineTypes(call.id as string)).includes('call.connected'));
  });

  test('a machine with leave_message gets the machine prompt after its beep', async () => {
    const call = await callWith({ machineAction: 'leave_message' }, '0131', {
      machinePromptId: 'machine-msg',
    });
    assert.equal(call.outcome, 'machine', JSON.stringify(call));
    const attempt = call.attempts[0] as Attempt;
    assert.ok(attempt.machineMessagePlayedAt, 'the message instant is recorded');
    assert.notEqual(attempt.analysis?.beepAtMs, null, 'the message waited for the beep');
    const played = driver.played(`${call.id}/1/contact`);
    assert.equal(played.length, 1, 'one prompt played');
    assert.equal(played[0]?.length, 8000, 'the whole one-second machine message');
  });

  test('a machine with connect goes to the agent', async () => {
    const call = await callWith({ machineAction: 'connect' }, '0131');
    assert.equal(call.status, 'completed', JSON.stringify(call));
    assert.equal(call.outcome, 'answered');
  });

  test('fax and special information tones end the call with their outcome', async () => {
    const fax = await callWith({}, '0132');
    assert.equal(fax.outcome, 'fax', JSON.stringify(fax));
    const sit = await callWith({}, '0133');
    assert.equal(sit.outcome, 'invalid_number', JSON.stringify(sit));
    assert.equal(sit.attempts[0]?.analysis?.verdict, 'invalid_number');
  });

  test('silence follows silenceAction: connected, or abandoned after the abandon message', async () => {
    const kept = await callWith({ silenceAction: 'connect' }, '0134');
    assert.equal(kept.outcome, 'answered', JSON.stringify(kept));
    const dropped = await callWith({ silenceAction: 'hangup' }, '0134', { abandonPromptId: 'abandon-msg' });
    assert.equal(dropped.outcome, 'abandoned', JSON.stringify(dropped));
    assert.ok(dropped.attempts[0]?.abandonPromptPlayedAt, 'the abandon message instant is recorded');
    assert.equal(driver.played(`${dropped.id}/1/contact`)[0]?.length, 4000, 'the abandon message played');
  });

  test('without answer detection the contact is never anchored (today’s flow)', async () => {
    const call = await callWith({ enabled: false }, '0131');
    assert.equal(call.outcome, 'answered', JSON.stringify(call));
    assert.equal(call.attempts[0]?.analysis, null);
  });
});
