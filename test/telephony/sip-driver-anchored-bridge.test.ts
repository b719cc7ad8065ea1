import assert from 'node:assert/strict';
import { after, afterEach, before, test } from 'node:test';
import type { SipDriver } from '../../src/telephony/sip-driver.ts';
import { MediaPhone } from '../support/media-phone.ts';
import { waitFor } from '../support/wait-for.ts';
import { clip, DETECTING, dial, hangUpAll, startDriver } from './support/anchored-call.ts';

/*
 * Bridging an anchored contact: its media moves from pconn's RTP port to the agent's phone by
 * re-INVITE (offerless to the contact, its offer relayed to the agent, the agent's answer in
 * the contact's ACK), pconn's port pair is freed, and the agent's session keeps working (hold,
 * the next contact). Real sockets: two or three phones on our own SIP UA with RTP peers.
 */

const FAST = 5;
let driver: SipDriver;
const phones: MediaPhone[] = [];

async function phone(options?: Parameters<typeof MediaPhone.start>[0]): Promise<MediaPhone> {
  const started = await MediaPhone.start(options);
  phones.push(started);
  return started;
}

/** True once `to` received RTP sent straight from `from`'s RTP port (not through pconn). */
function receivesFrom(to: MediaPhone, from: MediaPhone): boolean {
  return to.peer.received.some((r) => r.from.port === from.peer.address.port);
}

before(async () => {
  driver = await startDriver(undefined, { min: 32000, max: 32999 });
});

afterEach(hangUpAll);

after(async () => {
  await driver.close();
  await Promise.all(phones.map((p) => p.close()));
});

test('bridge moves the anchored media to the agent, frees the ports; hold and the next contact still work', async () => {
  const agentPhone = await phone();
  const agent = dial(driver, 's/1/agent', { kind: 'sip', uri: agentPhone.uri }, undefined, {
    persistent: true,
  });
  await agent.next('answered');
  const first = await phone({ codec: 'PCMA' });
  const contact = dial(driver, 'c/1/contact', { kind: 'sip', uri: first.uri }, DETECTING);
  await contact.next('answered');
  const hello = await clip('human-02');
  await first.say(hello, FAST);
  assert.equal((await contact.next('analysis')).detection.verdict, 'human');
  const playing = driver.play(contact.handle, new Int16Array(8000 * 5));
  await driver.bridge(agent.handle, contact.handle);
  assert.equal(await playing, false, 'the bridge cut the prompt short');
  assert.deepEqual(first.reinvites, [{ offer: false }], 'the contact was re-INVITEd without SDP');
  assert.deepEqual(agentPhone.reinvites, [{ offer: true }], "the agent got the contact's offer");
  // The bridge resolves as the ACK leaves; the contact reads it a moment later.
  await waitFor(() => first.remote?.port === agentPhone.peer.address.port, {
    what: "the contact's ACK pointing it at the agent",
  });
  assert.equal(agentPhone.remote?.port, first.peer.address.port, 'the agent sends to the contact');
  await waitFor(() => driver.media.openLegs === 0, { what: "pconn's RTP ports freed after the bridge" });
  // Media now flows phone to phone, both ways.
  const words = (await clip('human-00')).slice(0, 8000);
  await Promise.all([first.say(words, FAST), agentPhone.say(words, FAST)]);
  await waitFor(() => receivesFrom(agentPhone, first), { what: "the contact's RTP at the agent" });
  await waitFor(() => receivesFrom(first, agentPhone), { what: "the agent's RTP at the contact" });
  await assert.rejects(driver.play(contact.handle, new Int16Array(160)), /not answered/);

  // The contact leaves; the session's agent is held, then bridged to the next anchored contact.
  await first.hangup();
  const ended = await contact.next('ended');
  assert.equal(ended.by, 'remote');
  assert.ok(ended.media, 'a bridged anchored leg still ends with its media figures');
  assert.equal(ended.media.codec, 'PCMA');
  assert.ok(ended.media.packetsReceived >= hello.length / 160 - 2, `received ${ended.media.packetsReceived}`);
  assert.deepEqual(contact.story(), ['answered', 'analysis', 'ended']);
  await driver.hold(agent.handle);
  assert.equal(agentPhone.remote, undefined, 'held: the agent has nowhere to send');
  const second = await phone();
  const next = dial(driver, 'c/2/contact', { kind: 'sip', uri: second.uri }, {});
  await next.next('answered');
  await driver.bridge(agent.handle, next.handle);
  const target = (p: MediaPhone) => p.remote?.port;
  assert.equal(target(agentPhone), second.peer.address.port, 'the agent now sends to the next contact');
  await waitFor(() => second.remote?.port === agentPhone.peer.address.port, {
    what: "the next contact's ACK pointing it at the agent",
  });
  await second.say(words, FAST);
  await waitFor(() => receivesFrom(agentPhone, second), { what: "the next contact's RTP at the agent" });
  await waitFor(() => driver.media.openLegs === 0, { what: 'the ports freed again' });
  assert.deepEqual(agent.story(), ['answered'], 'the agent stayed up through both bridges and the hold');
  await driver.hangup(next.handle);
  await driver.hangup(agent.handle);
  await agent.next('ended');
});

test('a bridge the agent refuses ends the contact first (ports freed), keeps the session agent, rejects', async () => {
  const agentPhone = await phone({ refuseReinvites: true });
  const agent = dial(driver, 's/2/agent', { kind: 'sip', uri: agentPhone.uri }, undefined, {
    persistent: true,
  });
  await agent.next('answered');
  const contactPhone = await phone();
  const contact = dial(driver, 'c/3/contact', { kind: 'sip', uri: contactPhone.uri }, DETECTING);
  await contact.next('answered');
  await assert.rejects(driver.bridge(agent.handle, contact.handle), /agent refused the re-INVITE: 488/);
  const ended = await contact.next('ended');
  assert.equal(ended.status, 488);
  assert.equal(ended.by, 'network');
  assert.ok(ended.media, 'figures even when the bridge failed');
  await waitFor(() => contactPhone.dialog?.state === 'terminated', { what: 'the BYE at the contact' });
  await waitFor(() => driver.media.openLegs === 0, { what: 'the ports freed' });
  assert.deepEqual(agent.story(), ['answered'], 'the session agent stays up');
  await driver.hangup(agent.handle);
});
