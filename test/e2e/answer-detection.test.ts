import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import { writeWav } from '../../src/media/wav-writer.ts';
import { MediaPhone } from '../support/media-phone.ts';
import type { TestServer } from '../support/test-server.ts';
import { waitFor } from '../support/wait-for.ts';
import { bestCorrelation, clip } from '../telephony/support/anchored-call.ts';
import { expectOk, settledCall, startSipServer } from './support/pconn-sip.ts';
import { skipWithout } from './support/required-tool.ts';

/*
 * Answer detection end to end (issue 16): a pconn node with the SIP driver, an agent phone and a
 * contact phone — each our own SIP user agent with a real RTP peer on 127.0.0.1 — and the contact
 * saying what the labelled corpus holds (espeak-ng and sox build it). Everything is set up and
 * read through the HTTP API: campaign, prompts, call, the call's outcome and its attempt's
 * analysis. What the contact's phone received is decoded and correlated with the prompts.
 */

const skip = skipWithout('espeak-ng', 'espeak-ng', ['--version']) || skipWithout('sox', 'sox', ['--version']);

/** Frames sent every 5 ms (4× real time): the analyser counts samples, not wall time. */
const FAST = 5;

type Attempt = Record<string, unknown> & { analysis: { verdict: string; beepAtMs: number | null } | null };

let server: TestServer;
let phones: MediaPhone[] = [];
/** The corpus clips the contacts say, loaded before any call (a first run builds the corpus). */
const clips = new Map<string, Int16Array>();
/** Calls placed by the running test: one that failed midway must not hold the agent for the next. */
let placed: string[] = [];
let calls = 0;

/** `seconds` of a two-tone prompt at 8 kHz (distinct from every corpus clip). */
function promptAudio(hz: number, seconds: number): Int16Array {
  return Int16Array.from({ length: Math.round(seconds * 8000) }, (_, i) =>
    Math.round(
      5000 * Math.sin((2 * Math.PI * hz * i) / 8000) + 3000 * Math.sin((2 * Math.PI * 3.1 * hz * i) / 8000),
    ),
  );
}
const MACHINE_PROMPT = promptAudio(523, 1.2);
const ABANDON_PROMPT = promptAudio(349, 0.8);

async function phone(): Promise<MediaPhone> {
  const started = await MediaPhone.start();
  phones.push(started);
  return started;
}

/**
 * A campaign with answer detection on (and `answerDetection` overrides), the agent's phone and a
 * trunk to the contact's phone, and one call placed; answers the call id once pconn has answered
 * the contact with its own media address.
 */
async function placeAnalysedCall(
  agent: MediaPhone,
  contact: MediaPhone,
  answerDetection: Record<string, unknown>,
) {
  const campaign = `amd-e2e-${++calls}`;
  await expectOk(server, 'PUT', '/v1/trunks/default', { uri: `sip:127.0.0.1:${contact.ua.address.udpPort}` });
  await expectOk(server, 'PUT', '/v1/users/agent', {
    name: 'Agent',
    device: { type: 'sip', uri: agent.uri },
  });
  await expectOk(server, 'PUT', `/v1/campaigns/${campaign}`, {
    name: campaign,
    callerId: '+14155550100',
    callingWindow: { start: '00:00', end: '00:00' },
    timezone: 'UTC',
    maxAttemptsPerContact: 1,
    agentIds: ['agent'],
    answerDetection: { enabled: true, ...answerDetection },
    machinePromptId: 'machine-msg',
    abandonPromptId: 'abandon-msg',
  });
  await expectOk(server, 'POST', `/v1/campaigns/${campaign}/start`);
  const call = await expectOk(server, 'POST', `/v1/campaigns/${campaign}/calls`, {
    userId: 'agent',
    contact: {
      externalId: `${campaign}-contact`,
      timezone: 'UTC',
      phoneNumbers: [{ phoneType: 'mobile', number: `+12125550${String(140 + calls)}` }],
    },
  });
  placed.push(call.id as string);
  await waitFor(() => contact.remote, {
    timeout: 15_000,
    what: 'pconn’s answer to the contact (its RTP address)',
  });
  return call.id as string;
}

async function attemptOf(id: string): Promise<Attempt> {
  const call = await expectOk(server, 'GET', `/v1/calls/${id}`);
  return (call.attempts as Attempt[])[0] as Attempt;
}

before(async () => {
  if (skip) return;
  for (const name of ['human-00', 'machine-07', 'fax-2', 'sit-1', 'silence-0'])
    clips.set(name, await clip(name));
  server = await startSipServer({ PCONN_RTP_PORTS: '33000-33999' });
  for (const [id, audio] of [
    ['machine-msg', MACHINE_PROMPT],
    ['abandon-msg', ABANDON_PROMPT],
  ] as const) {
    const put = await server.request('PUT', `/v1/prompts/${id}`, {
      rawBody: Buffer.from(writeWav(audio, 8000, 'pcm16')),
      headers: { 'content-type': 'audio/wav' },
    });
    assert.ok(put.status < 300, put.text);
  }
});
afterEach(async () => {
  for (const id of placed) await server.request('POST', `/v1/calls/${id}/cancel`);
  placed = [];
  await Promise.all(phones.map((p) => p.close()));
  phones = [];
});
after(() => server?.close());

describe('answer detection over SIP and RTP', { skip }, () => {
  test('a person saying hello is connected to the agent, and their audio then reaches the agent directly', async () => {
    const agent = await phone();
    const contact = await phone();
    const id = await placeAnalysedCall(agent, contact, {});
    await contact.say(clips.get('human-00') as Int16Array, FAST);
    const connected = await settledCall(server, id, ['connected']);
    assert.equal(connected.status, 'connected');
    const attempt = await attemptOf(id);
    assert.equal(attempt.analysis?.verdict, 'human', JSON.stringify(attempt));
    // After the bridge the phones send to each other: pconn's ports are out of the path.
    await waitFor(() => agent.remote && contact.remote && contact.remote.port === agent.peer.address.port, {
      what: 'the contact re-pointed at the agent’s phone',
    });
    const before = agent.peer.received.length;
    await contact.say(promptAudio(700, 0.4), FAST);
    await waitFor(() => agent.peer.received.length >= before + 15, {
      what: 'the contact’s audio at the agent',
    });
    await expectOk(server, 'POST', `/v1/calls/${id}/cancel`);
    const ended = await settledCall(server, id);
    assert.equal(ended.status, 'canceled');
  });

  test('a machine greeting with a beep gets the machine prompt after the beep (decoded and correlated)', async () => {
    const agent = await phone();
    const contact = await phone();
    const id = await placeAnalysedCall(agent, contact, { machineAction: 'leave_message' });
    await contact.say(clips.get('machine-07') as Int16Array, FAST);
    const call = await settledCall(server, id, ['failed', 'completed'], 30_000);
    assert.equal(call.outcome, 'machine', JSON.stringify(call));
    const attempt = await attemptOf(id);
    assert.equal(attempt.analysis?.verdict, 'machine');
    assert.ok(attempt.analysis?.beepAtMs !== null, 'the beep was heard');
    assert.ok(attempt.machineMessagePlayedAt, 'the message instant is recorded');
    assert.equal(attempt.agentConnectedAt, null, 'a machine is never put through');
    const heard = bestCorrelation(contact.peer.decoded(), MACHINE_PROMPT.subarray(0, 4000));
    assert.ok(heard > 0.9, `the contact received the machine prompt (correlation ${heard.toFixed(3)})`);
  });

  for (const [name, outcome, verdict] of [
    ['fax-2', 'fax', 'fax'],
    ['sit-1', 'invalid_number', 'invalid_number'],
  ] as const)
    test(`${name}: outcome ${outcome}, never connected`, async () => {
      const agent = await phone();
      const contact = await phone();
      const id = await placeAnalysedCall(agent, contact, {});
      await contact.say(clips.get(name) as Int16Array, FAST);
      const call = await settledCall(server, id, ['failed', 'completed'], 30_000);
      assert.equal(call.outcome, outcome, JSON.stringify(call));
      assert.equal((await attemptOf(id)).analysis?.verdict, verdict);
    });

  test('silence with silenceAction hangup: the abandon message, then abandoned', async () => {
    const agent = await phone();
    const contact = await phone();
    const id = await placeAnalysedCall(agent, contact, { silenceAction: 'hangup', initialSilenceMs: 1500 });
    await contact.say(clips.get('silence-0') as Int16Array, FAST);
    const call = await settledCall(server, id, ['failed', 'completed'], 30_000);
    assert.equal(call.outcome, 'abandoned', JSON.stringify(call));
    const attempt = await attemptOf(id);
    assert.equal(attempt.analysis?.verdict, 'silence');
    assert.ok(attempt.abandonPromptPlayedAt, 'the abandon message instant is recorded');
    const heard = bestCorrelation(contact.peer.decoded(), ABANDON_PROMPT.subarray(0, 4000));
    assert.ok(heard > 0.9, `the contact received the abandon message (correlation ${heard.toFixed(3)})`);
  });
});
