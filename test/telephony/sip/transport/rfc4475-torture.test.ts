import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { DroppedMessage } from '../../../../src/telephony/sip/user-agent/index.ts';
import { SipUserAgent } from '../../../../src/telephony/sip/user-agent/index.ts';
import { VALID } from '../fixtures/rfc4475.ts';
import { INVALID, SEMANTIC } from '../fixtures/rfc4475-invalid.ts';
import { delay, UdpPeer, waitFor } from '../transaction/test-peer.ts';

describe('RFC 4475 torture messages through a whole SipUserAgent over UDP', () => {
  let ua: SipUserAgent;
  let peer: UdpPeer;
  const dropped: DroppedMessage[] = [];

  before(async () => {
    ua = await SipUserAgent.start({
      listen: { host: '127.0.0.1', port: 0 },
      timers: { t1: 20 },
      onDroppedMessage: (d) => dropped.push(d),
    });
    peer = await UdpPeer.open();
  });
  after(async () => {
    await ua.close();
    peer.close();
  });

  test('every invalid message is dropped or answered 400/505, and nothing throws', async () => {
    const invalid = Object.entries(INVALID);
    for (const [, message] of invalid) peer.send(message, ua.address.udpPort!);
    await waitFor(() => dropped.length >= invalid.length - 2, 3000, 'drops');
    await delay(100);
    // Some §3.3 entries in INVALID parse (they are semantic errors handled above the parser).
    assert.ok(dropped.length >= invalid.length - 3, `${dropped.length} of ${invalid.length} dropped`);
    for (const r of peer.received) {
      assert.equal(r.message.kind, 'response');
      if (r.message.kind === 'response')
        assert.ok([400, 505, 405, 603, 481, 420, 100].includes(r.message.status));
    }
    const answered = dropped.filter((d) => d.answered).length;
    // Counted raw: a 400 copies the broken headers, so a strict parser may refuse it again.
    const rejections = peer.raw.filter((d) => /^SIP\/2\.0 (400|505) /.test(d.toString('latin1')));
    assert.equal(answered, rejections.length);
    assert.ok(answered > 0, 'some are answerable');
    assert.equal(ua.stats.dropped, dropped.length);
  });

  test('300 randomly mutated messages over UDP and TCP: no throw, the UA still answers', async () => {
    const { connect } = await import('node:net');
    const samples = Object.values(VALID);
    let seed = 42;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const socket = connect(ua.address.tcpPort ?? 1, '127.0.0.1');
    socket.on('error', () => {});
    for (let i = 0; i < 300; i++) {
      const message = Buffer.from(samples[random(samples.length)]!);
      for (let flips = 1 + random(4); flips > 0; flips--) message[random(message.length)] = random(256);
      const cut = random(3) === 0 ? message.subarray(0, random(message.length)) : message;
      peer.send(cut, ua.address.udpPort!);
      if (!socket.destroyed) socket.write(cut);
    }
    await delay(300);
    socket.destroy();
    const result = await ua.request({
      method: 'OPTIONS',
      target: `sip:self@127.0.0.1:${ua.address.udpPort}`,
    });
    assert.equal(result.status, 200);
  });

  test('valid and semantically odd messages do not break the UA', async () => {
    for (const message of [...Object.values(VALID), ...Object.values(SEMANTIC)])
      peer.send(message, ua.address.udpPort!);
    await delay(300);
    const result = await ua.request({
      method: 'OPTIONS',
      target: `sip:self@127.0.0.1:${ua.address.udpPort}`,
    });
    assert.equal(result.status, 200, 'the UA still answers itself');
  });
});
