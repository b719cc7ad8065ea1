import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { parseSdp } from '../../src/telephony/sip/sdp/index.ts';
import { SipDriver } from '../../src/telephony/sip-driver.ts';
import { MediaPhone } from '../support/media-phone.ts';
import { waitFor } from '../support/wait-for.ts';
import { dial } from './support/anchored-call.ts';

/*
 * PCONN_RTP_PORTS and PCONN_RTP_PUBLIC_ADDRESS reach the SIP driver through config.sip (the
 * wiring spreads it into SipDriver.start): the anchored leg's port comes from the range, and
 * the SDP pconn answers with names the public address (NAT).
 */

const phones: MediaPhone[] = [];
after(async () => {
  await Promise.all(phones.map((p) => p.close()));
});

test('the RTP settings: defaults, a bad range refused at start-up', () => {
  assert.deepEqual(loadConfig({}).sip.rtp, { ports: { min: 20000, max: 29999 } });
  for (const bad of ['20000', '30000-20000', '20001-20001', '0-100', '60000-70000', 'a-b'])
    assert.throws(() => loadConfig({ PCONN_RTP_PORTS: bad }), ConfigError, `refused: ${bad}`);
});

test('an anchored answer uses a port of PCONN_RTP_PORTS and names PCONN_RTP_PUBLIC_ADDRESS', async () => {
  const config = loadConfig({
    PCONN_RTP_PORTS: '36000-36009',
    PCONN_RTP_PUBLIC_ADDRESS: '203.0.113.7',
    PCONN_SIP_LISTEN: 'udp://127.0.0.1:0',
    PCONN_SIP_T1_MS: '20',
  });
  const driver = await SipDriver.start({
    ...config.sip,
    directory: { trunkFor: async () => undefined, registeredAccounts: async () => [] },
  });
  try {
    const contact = await MediaPhone.start();
    phones.push(contact);
    const leg = dial(driver, 'n/1/contact', { kind: 'sip', uri: contact.uri }, {});
    await leg.next('answered');
    const answer = await waitFor(() => contact.acks[0], { what: "the ACK's answer" });
    const sdp = parseSdp(answer);
    assert.ok(sdp, 'the ACK carries SDP');
    assert.ok(answer.includes('c=IN IP4 203.0.113.7'), `the public address in the answer:\n${answer}`);
    const port = sdp.media[0]?.port ?? 0;
    assert.ok(port >= 36000 && port <= 36008 && port % 2 === 0, `an even port of the range: ${port}`);
  } finally {
    await driver.close();
  }
  assert.equal(driver.media.openLegs, 0, 'close() freed the pair');
});
