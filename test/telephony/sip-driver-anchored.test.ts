import assert from 'node:assert/strict';
import { after, afterEach, before, test } from 'node:test';
import { detectAnswer } from '../../src/media/detect-answer.ts';
import { parseSdp } from '../../src/telephony/sip/sdp/index.ts';
import type { SipDriver } from '../../src/telephony/sip-driver.ts';
import { MediaPhone } from '../support/media-phone.ts';
import { waitFor } from '../support/wait-for.ts';
import { bestCorrelation, clip, DETECTING, dial, hangUpAll, startDriver } from './support/anchored-call.ts';

/*
 * Anchored contact legs on the SIP driver, end to end over loopback: a contact phone (our own
 * SIP UA answering flow IV's offerless INVITE with an offer) sends corpus clips as RTP to the
 * port pconn answered with; the driver reports what its analyser heard, plays prompts into the
 * leg, and hands the media to an agent phone by re-INVITE. Clips are sent four times faster
 * than real time (the analyser counts samples, not wall time), so each case takes about a second.
 */

const FAST = 5;
let driver: SipDriver;
const phones: MediaPhone[] = [];

async function phone(options?: Parameters<typeof MediaPhone.start>[0]): Promise<MediaPhone> {
  const started = await MediaPhone.start(options);
  phones.push(started);
  return started;
}

before(async () => {
  driver = await startDriver();
});

afterEach(hangUpAll);

after(async () => {
  await driver.close();
  await Promise.all(phones.map((p) => p.close()));
});

test('a person saying hello: pconn answers with its own RTP port, analysis says human, a prompt reaches the person', async () => {
  const contact = await phone();
  const leg = dial(driver, 'h/1/contact', { kind: 'sip', uri: contact.uri }, DETECTING);
  await leg.next('answered');
  assert.equal(driver.media.openLegs, 1, 'one RTP leg open for the anchored contact');
  const pointed = await waitFor(() => contact.remote, { what: "the ACK's answer at the contact" });
  assert.equal(pointed.address, '127.0.0.1', 'the ACK pointed the contact at pconn');
  const hello = await clip('human-00');
  await contact.say(hello, FAST);
  const analysis = await leg.next('analysis');
  assert.equal(analysis.detection.verdict, 'human');
  const offline = detectAnswer(hello);
  assert.ok(
    Math.abs(analysis.detection.decidedAtMs - offline.decidedAtMs) <= 200,
    `decided at ${analysis.detection.decidedAtMs} ms of audio, offline ${offline.decidedAtMs}`,
  );
  // The prompt: a second of someone else's voice; the peer decodes what it received.
  const prompt = (await clip('machine-02')).slice(8000, 16000);
  assert.equal(await driver.play(leg.handle, prompt), true, 'played to its end');
  // play() resolves once the last frame is sent; the peer reads it a moment later.
  let correlation = 0;
  await waitFor(
    () => {
      correlation = bestCorrelation(contact.peer.decoded(), prompt);
      return correlation > 0.95;
    },
    { what: 'the prompt at the contact', interval: 50 },
  ).catch(() => undefined);
  assert.ok(correlation > 0.95, `what the contact heard correlates with the prompt: ${correlation}`);
  await driver.hangup(leg.handle);
  const ended = await leg.next('ended');
  assert.equal(ended.by, 'local');
  assert.ok(ended.media, 'an anchored leg ends with its media figures');
  assert.equal(ended.media.codec, 'PCMU');
  assert.ok(ended.media.packetsReceived >= hello.length / 160 - 2, `received ${ended.media.packetsReceived}`);
  assert.ok(ended.media.packetsSent >= 50, `sent ${ended.media.packetsSent}`);
  assert.equal(ended.media.packetsLost, 0);
  assert.deepEqual(leg.story(), ['answered', 'analysis', 'ended']);
  await waitFor(() => driver.media.openLegs === 0, { what: 'the RTP ports freed' });
});

const verdicts = [
  { name: 'machine-07', verdict: 'machine', story: ['answered', 'analysis', 'beep'] },
  // A short greeting whose beep is what decides `machine`: the beep event still follows.
  { name: 'machine-29', verdict: 'machine', story: ['answered', 'analysis', 'beep'] },
  { name: 'fax-2', verdict: 'fax', story: ['answered', 'analysis'] },
  { name: 'sit-1', verdict: 'invalid_number', story: ['answered', 'analysis'] },
  { name: 'silence-0', verdict: 'silence', story: ['answered', 'analysis'] },
] as const;

for (const { name, verdict, story } of verdicts) {
  test(`${name} over RTP: analysis says ${verdict}${verdict === 'machine' ? ', then the beep' : ''}`, async () => {
    const contact = await phone({ codec: 'PCMA' });
    const leg = dial(driver, `${name}/1/contact`, { kind: 'sip', uri: contact.uri }, DETECTING);
    await leg.next('answered');
    const audio = await clip(name);
    await contact.say(audio, FAST);
    const analysis = await leg.next('analysis');
    assert.equal(analysis.detection.verdict, verdict);
    if (verdict === 'machine') {
      const beep = await leg.next('beep');
      const offline = detectAnswer(audio);
      if (offline.features.reason !== 'beep')
        assert.equal(
          analysis.detection.beepAtMs,
          null,
          'the analysis event is not changed by the later beep',
        );
      assert.ok(beep.detection.beepAtMs !== null, 'the beep event says when the beep ended');
      assert.ok(
        Math.abs(beep.detection.beepAtMs - (offline.beepAtMs ?? 0)) <= 200,
        `beep at ${beep.detection.beepAtMs}, offline ${offline.beepAtMs}`,
      );
    }
    await driver.hangup(leg.handle);
    const ended = await leg.next('ended');
    assert.equal(ended.media?.codec, 'PCMA', 'the contact offered PCMA first');
    assert.deepEqual(leg.story(), [...story, 'ended']);
    await waitFor(() => driver.media.openLegs === 0, { what: 'the RTP ports freed' });
  });
}

test('play: a second prompt cuts the first; a leg that is not anchored is refused', async () => {
  const contact = await phone();
  const leg = dial(driver, 'p/1/contact', { kind: 'sip', uri: contact.uri }, {});
  await leg.next('answered');
  const long = driver.play(leg.handle, new Int16Array(8000 * 5).fill(1000));
  const short = driver.play(leg.handle, new Int16Array(800).fill(-1000));
  assert.equal(await long, false, 'the first prompt was cut short');
  assert.equal(await short, true, 'the second played to its end');
  const plain = await phone();
  const other = dial(driver, 'p/2/contact', { kind: 'sip', uri: plain.uri });
  await other.next('answered');
  await assert.rejects(driver.play(other.handle, new Int16Array(160)), /not anchored/);
  await driver.hangup(other.handle);
  // A prompt playing when the leg ends resolves false.
  const cut = driver.play(leg.handle, new Int16Array(8000 * 5));
  await driver.hangup(leg.handle);
  assert.equal(await cut, false, 'ended mid-prompt');
  await assert.rejects(driver.play(leg.handle, new Int16Array(160)), /not anchored|answered/);
  // Without answer detection no analysis event comes.
  assert.deepEqual(leg.story(), ['answered', 'ended']);
  await waitFor(() => driver.media.openLegs === 0, { what: 'the RTP ports freed' });
});

test('an offer without G.711: the contact gets an answer in the ACK, then BYE 488; no answered event', async () => {
  const contact = await phone({
    offer: (peer) =>
      [
        'v=0',
        'o=phone 1 1 IN IP4 127.0.0.1',
        's=-',
        'c=IN IP4 127.0.0.1',
        't=0 0',
        `m=audio ${peer.address.port} RTP/AVP 18`,
        'a=rtpmap:18 G729/8000',
        '',
      ].join('\r\n'),
  });
  const leg = dial(driver, 'g/1/contact', { kind: 'sip', uri: contact.uri }, DETECTING);
  const ended = await leg.next('ended');
  assert.equal(ended.status, 488);
  assert.match(ended.reason, /PCMU\/PCMA/);
  assert.equal(ended.media, undefined, 'never answered: no media figures');
  assert.deepEqual(leg.story(), ['ended']);
  // `ended` comes as the ACK and BYE leave; the phone reads them a moment later.
  const ack = await waitFor(() => contact.acks[0], { what: 'the ACK at the contact' });
  assert.ok(parseSdp(ack), 'the ACK carried an answer (RFC 3261 §13.2.2.4)');
  assert.equal(contact.acks.length, 1, 'one ACK');
  await waitFor(() => contact.dialog?.state === 'terminated', { what: 'the BYE at the contact' });
  await waitFor(() => driver.media.openLegs === 0, { what: 'the RTP ports freed' });
});

test('the contact hangs up mid-analysis: ended by remote with its figures, the ports freed', async () => {
  const contact = await phone();
  const leg = dial(driver, 'm/1/contact', { kind: 'sip', uri: contact.uri }, DETECTING);
  await leg.next('answered');
  const greeting = (await clip('machine-02')).slice(0, 8000 * 0.8);
  await contact.say(greeting, FAST);
  await contact.hangup();
  const ended = await leg.next('ended');
  assert.equal(ended.by, 'remote');
  assert.ok(ended.media && ended.media.packetsReceived >= 30, `figures: ${JSON.stringify(ended.media)}`);
  assert.deepEqual(leg.story(), ['answered', 'ended']);
  await waitFor(() => driver.media.openLegs === 0, { what: 'the RTP ports freed' });
});

test('a trunk that wants an offer in the INVITE gets pconn’s own RTP port; a CANCEL while ringing frees it', async () => {
  const carrier = await phone();
  const trunk = {
    id: 't/offer',
    uri: `sip:127.0.0.1:${carrier.ua.address.udpPort}`,
    username: null,
    password: null,
    maxConcurrent: 10,
    cps: 50,
    offerInInitialInvite: true,
  };
  const viaTrunk = await startDriver(trunk, { min: 33000, max: 33999 });
  try {
    const leg = dial(viaTrunk, 'o/1/contact', { kind: 'phone', number: '+12125550100' }, DETECTING);
    await leg.next('answered');
    assert.equal(carrier.remote?.address, '127.0.0.1', 'the INVITE offered pconn’s address');
    assert.equal(carrier.acks[0], undefined, 'the ACK carries no SDP: the 2xx had the answer');
    await carrier.say(await clip('human-01'), FAST);
    assert.equal((await leg.next('analysis')).detection.verdict, 'human');
    await viaTrunk.hangup(leg.handle);
    assert.ok((await leg.next('ended')).media, 'figures');
    await waitFor(() => viaTrunk.media.openLegs === 0, { what: 'the RTP ports freed' });

    // The port pair is opened before the INVITE; a CANCEL while ringing must free it too.
    const slow = await phone({ answerAfterMs: 30_000 });
    const ringing = await startDriver(
      { ...trunk, uri: `sip:127.0.0.1:${slow.ua.address.udpPort}` },
      {
        min: 34000,
        max: 34999,
      },
    );
    try {
      const cancelled = dial(ringing, 'o/2/contact', { kind: 'phone', number: '+12125550100' }, DETECTING);
      await cancelled.next('ringing');
      assert.equal(ringing.media.openLegs, 1, 'the offer’s port pair is open while ringing');
      await ringing.hangup(cancelled.handle);
      const ended = await cancelled.next('ended');
      assert.equal(ended.status, 487);
      assert.equal(ended.media, undefined, 'never answered: no figures');
      await waitFor(() => ringing.media.openLegs === 0, { what: 'the RTP ports freed after CANCEL' });
    } finally {
      await ringing.close();
    }
  } finally {
    await viaTrunk.close();
  }
});

test('close() ends anchored legs and frees every port pair', async () => {
  const closing = await startDriver(undefined, { min: 35000, max: 35999 });
  const contact = await phone();
  const leg = dial(closing, 'x/1/contact', { kind: 'sip', uri: contact.uri }, DETECTING);
  await leg.next('answered');
  assert.equal(closing.media.openLegs, 1);
  await closing.close();
  assert.equal(closing.media.openLegs, 0, 'no port pair left open');
  assert.ok((await leg.next('ended')).media, 'ended with figures');
});

test('a contact that sends no RTP at all still gets a verdict once the analysis time has passed', async () => {
  const mute = await phone();
  const settings = { ...DETECTING.answerDetection!, initialSilenceMs: 300, totalAnalysisMs: 500 };
  const leg = dial(driver, 'q/1/contact', { kind: 'sip', uri: mute.uri }, { answerDetection: settings });
  await leg.next('answered');
  const analysis = await leg.next('analysis');
  assert.equal(analysis.detection.verdict, 'silence');
  assert.equal(analysis.detection.features.reason, 'initial_silence');
  assert.equal(analysis.detection.decidedAtMs, 300);
  await driver.hangup(leg.handle);
  assert.equal((await leg.next('ended')).media?.packetsReceived, 0);
});
