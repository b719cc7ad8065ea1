import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { DroppedMessage } from '../../../../src/telephony/sip/user-agent/index.ts';
import { SipUserAgent } from '../../../../src/telephony/sip/user-agent/index.ts';
import { VALID } from '../fixtures/rfc4475.ts';
import { INVALID, SEMANTIC } from '../fixtures/rfc4475-invalid.ts';
import { UdpPeer, waitFor } from '../transaction/test-peer.ts';

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

  /** An OPTIONS from the UA to itself, answered 200 by its own core. */
  const selfOptions = () =>
    ua.request({ method: 'OPTIONS', target: `sip:self@127.0.0.1:${ua.address.udpPort}` });

  test('every invalid message is dropped or answered 400/505, and nothing throws', async () => {
    const invalid = Object.entries(INVALID);
    for (const [, message] of invalid) peer.send(message, ua.address.udpPort!);
    await waitFor(() => dropped.length >= invalid.length - 2, 3000, 'drops');
    // The UA's own OPTIONS to itself queues behind every datagram sent before it on the same
    // socket: once it is answered, all of them have been handled; then its answers reach the peer.
    await selfOptions();
    // Counted raw: a 400 copies the broken headers, so a strict parser may refuse it again.
    const rejected = () => peer.raw.filter((d) => /^SIP\/2\.0 (400|505) /.test(d.toString('latin1')));
    const answered = dropped.filter((d) => d.answered).length;
    await waitFor(() => rejected().length >= answered, 3000, `${answered} answers at the peer`);
    // Some §3.3 entries in INVALID parse (they are semantic errors handled above the parser).
    assert.ok(dropped.length >= invalid.length - 3, `${dropped.length} of ${invalid.length} dropped`);
    for (const r of peer.received) {
      assert.equal(r.message.kind, 'response');
      if (r.message.kind === 'response')
        assert.ok([400, 505, 405, 603, 481, 420, 100].includes(r.message.status));
    }
    assert.equal(rejected().length, answered);
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
    // TCP: the UA reads everything before our FIN, then its side closes (or it dropped the
    // connection earlier): either way the connection is done with once it has closed.
    const closed = new Promise((resolve) => socket.once('close', resolve));
    socket.end();
    await closed;
    // UDP: the self-addressed OPTIONS is answered only after every datagram queued before it.
    assert.equal((await selfOptions()).status, 200);
  });

  test('valid and semantically odd messages do not break the UA', async () => {
    for (const message of [...Object.values(VALID), ...Object.values(SEMANTIC)])
      peer.send(message, ua.address.udpPort!);
    // Answered only after every datagram queued before it on the UA's socket has been handled.
    const result = await selfOptions();
    assert.equal(result.status, 200, 'the UA still answers itself');
  });
});
