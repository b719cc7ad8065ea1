import assert from 'node:assert/strict';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { once } from 'node:events';
import { after, before, describe, test } from 'node:test';
import {
  MAX_DATAGRAM_BYTES,
  MAX_HEADER_LINES,
  MAX_VIAS,
  prescanMessage,
} from '../../../../src/telephony/sip/transport/inbound-limits.ts';
import { SipTransport } from '../../../../src/telephony/sip/transport/sip-transport.ts';
import { SourceRateLimit } from '../../../../src/telephony/sip/transport/source-rate-limit.ts';
import type {
  DroppedMessage,
  InboundMessage,
} from '../../../../src/telephony/sip/transport/transport-types.ts';
import { waitFor } from '../../../support/wait-for.ts';

let calls = 0;

/** An OPTIONS with `vias` Via lines (each its own line), `extra` header lines and a To tag when given. */
function options({ vias = 1, extra = 0, toTag = '', pad = 0 } = {}): Buffer {
  calls++;
  const lines = ['OPTIONS sip:ua@127.0.0.1 SIP/2.0'];
  for (let i = 0; i < vias; i++)
    lines.push(`Via: SIP/2.0/UDP 10.0.0.${i % 250}:5060;branch=z9hG4bK${calls}x${i}`);
  lines.push(
    'Max-Forwards: 70',
    'From: <sip:a@x>;tag=1',
    `To: <sip:ua@127.0.0.1>${toTag ? `;tag=${toTag}` : ''}`,
    `Call-ID: limits-${calls}@x`,
    'CSeq: 1 OPTIONS',
  );
  for (let i = 0; i < extra; i++) lines.push(`X-Extra-${i}: ${'p'.repeat(pad)}`);
  lines.push('Content-Length: 0');
  return Buffer.from(`${lines.join('\r\n')}\r\n\r\n`);
}

describe('prescanMessage (bounds before the full parse)', () => {
  test('the 800-Via OPTIONS of the report is refused, as is one Via over the bound', () => {
    assert.equal(prescanMessage(options({ vias: 800 })), 'too_many_vias');
    assert.equal(prescanMessage(options({ vias: MAX_VIAS + 1 })), 'too_many_vias');
    assert.equal(prescanMessage(options({ vias: MAX_VIAS })), undefined, 'the bound itself passes');
  });

  test('Via values are counted across commas and the compact form', () => {
    const vias = Array.from({ length: MAX_VIAS + 1 }, (_, i) => `SIP/2.0/UDP h${i};branch=z9hG4bK${i}`);
    const one = `OPTIONS sip:a@b SIP/2.0\r\nv: ${vias.join(', ')}\r\nTo: <sip:a@b>\r\n\r\n`;
    assert.equal(prescanMessage(Buffer.from(one)), 'too_many_vias');
    const folded = `OPTIONS sip:a@b SIP/2.0\r\nVIA  : ${vias.slice(0, 40).join(',\r\n ')}\r\nvia:${vias.slice(40).join(',')}\r\n\r\n`;
    assert.equal(prescanMessage(Buffer.from(folded)), 'too_many_vias', 'folded lines count too');
  });

  test('header lines and datagram size are bounded; a big body is not a header', () => {
    assert.equal(prescanMessage(options({ extra: MAX_HEADER_LINES })), 'too_many_headers');
    assert.equal(prescanMessage(options({ extra: 100 })), undefined);
    const big = options({ extra: 20, pad: 1000 });
    assert.ok(big.length > MAX_DATAGRAM_BYTES, `fixture is ${big.length} bytes`);
    assert.equal(prescanMessage(big, MAX_DATAGRAM_BYTES), 'too_large');
    assert.equal(prescanMessage(big), undefined, 'no size bound on streams (their framer bounds them)');
    const body = `${'line\r\n'.repeat(1000)}`;
    const withBody = Buffer.from(
      `MESSAGE sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
    );
    assert.equal(prescanMessage(withBody), undefined);
  });
});

describe('SourceRateLimit', () => {
  test('per-source and total buckets refill at their rates; old sources are forgotten', () => {
    let now = 0;
    const limit = new SourceRateLimit({
      perSourcePerSecond: 2,
      perSourceBurst: 3,
      totalPerSecond: 100,
      totalBurst: 5,
      maxSources: 2,
      now: () => now,
    });
    const a = [1, 2, 3, 4].map(() => limit.allow('10.0.0.1'));
    assert.deepEqual(a, [true, true, true, false], 'burst of 3 per source');
    assert.deepEqual([limit.allow('10.0.0.2'), limit.allow('10.0.0.2')], [true, true]);
    assert.equal(limit.allow('10.0.0.3'), false, 'the total burst of 5 is spent');
    assert.equal(limit.size, 2, 'at most maxSources are tracked');
    now = 500;
    assert.equal(limit.allow('10.0.0.3'), true, '0.5 s refills the total and a new source has its burst');
    assert.equal(limit.allow('10.0.0.1'), true, 'forgotten source starts with a full bucket');
  });
});

describe('SipTransport inbound limits over UDP', () => {
  let transport: SipTransport;
  const inbound: InboundMessage[] = [];
  const dropped: DroppedMessage[] = [];
  let now = 0;
  let peer: UdpSocket;
  let other: UdpSocket;

  before(async () => {
    transport = await SipTransport.open({
      host: '0.0.0.0',
      port: 0,
      transports: ['udp'],
      onMessage: (m) => inbound.push(m),
      onDropped: (d) => dropped.push(d),
      requestRateLimit: {
        perSourcePerSecond: 1,
        perSourceBurst: 5,
        totalPerSecond: 1000,
        totalBurst: 1000,
        now: () => now,
      },
    });
    peer = createSocket('udp4');
    peer.bind(0, '127.0.0.1');
    // Another source IP on the loopback network (Linux routes all of 127/8 to lo).
    other = createSocket('udp4');
    other.bind(0, '127.0.0.2');
    await Promise.all([once(peer, 'listening'), once(other, 'listening')]);
  });
  after(async () => {
    peer.close();
    other.close();
    await transport.close();
  });

  const settle = (count: number) =>
    waitFor(() => inbound.length + dropped.length >= count, { what: `${count} datagrams handled` });

  test('the 800-Via datagram, one with 100 Vias or 300 headers are dropped unparsed; 70 Vias still pass', async () => {
    inbound.length = dropped.length = 0;
    const big = options({ vias: 800 });
    assert.ok(big.length > MAX_DATAGRAM_BYTES, `the report's datagram is ${big.length} bytes`);
    peer.send(big, transport.udpPort!, '127.0.0.1');
    peer.send(options({ vias: 100 }), transport.udpPort!, '127.0.0.1');
    peer.send(options({ extra: 300 }), transport.udpPort!, '127.0.0.1');
    peer.send(options({ vias: MAX_VIAS }), transport.udpPort!, '127.0.0.1');
    await settle(4);
    assert.deepEqual(
      dropped.map((d) => [d.kind, d.answered]),
      [
        ['too_large', false],
        ['too_many_vias', false],
        ['too_many_headers', false],
      ],
    );
    assert.equal(inbound.length, 1, 'the request within the bounds is delivered');
  });

  test('out-of-dialog requests over a source rate are dropped; other sources and in-dialog requests pass', async () => {
    now += 60_000; // full buckets
    inbound.length = dropped.length = 0;
    const port = transport.udpPort!;
    for (let i = 0; i < 8; i++) peer.send(options(), port, '127.0.0.1');
    for (let i = 0; i < 3; i++) peer.send(options({ toTag: 'in-dialog' }), port, '127.0.0.1');
    await settle(11);
    assert.equal(dropped.length, 3, `3 of 8 over the burst of 5: ${JSON.stringify(dropped)}`);
    assert.ok(
      dropped.every((d) => d.kind === 'rate_limited' && d.source.host === '127.0.0.1'),
      'dropped as rate_limited',
    );
    assert.equal(inbound.length, 8, '5 out-of-dialog and all 3 in-dialog requests delivered');
    for (let i = 0; i < 2; i++) other.send(options(), port, '127.0.0.1');
    await settle(13);
    assert.equal(inbound.length, 10, 'another source IP has its own bucket');
    now += 1000;
    peer.send(options(), port, '127.0.0.1');
    peer.send(options(), port, '127.0.0.1');
    await settle(15);
    assert.equal(inbound.length, 11, 'one second refills one token');
  });
});
