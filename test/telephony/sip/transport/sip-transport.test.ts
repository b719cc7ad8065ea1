import assert from 'node:assert/strict';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { once } from 'node:events';
import { connect, createServer } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { createResponse } from '../../../../src/telephony/sip/message/create-response.ts';
import { parseMessage } from '../../../../src/telephony/sip/message/parse-message.ts';
import type { SipRequest } from '../../../../src/telephony/sip/message/sip-message.ts';
import { getTopVia } from '../../../../src/telephony/sip/message/typed-headers.ts';
import { parseVia } from '../../../../src/telephony/sip/message/via.ts';
import { SipTransport } from '../../../../src/telephony/sip/transport/sip-transport.ts';
import type {
  DroppedMessage,
  InboundMessage,
} from '../../../../src/telephony/sip/transport/transport-types.ts';
import { responseDestination } from '../../../../src/telephony/sip/transport/via-received.ts';

function options(via: string, extra = ''): string {
  return (
    'OPTIONS sip:ua@127.0.0.1 SIP/2.0\r\n' +
    `Via: ${via}\r\n` +
    'Max-Forwards: 70\r\nFrom: <sip:a@x>;tag=1\r\nTo: <sip:ua@127.0.0.1>\r\n' +
    `Call-ID: c1@x\r\nCSeq: 1 OPTIONS\r\n${extra}Content-Length: 0\r\n\r\n`
  );
}

function nextDatagram(socket: UdpSocket, ms = 2000): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no datagram')), ms);
    socket.once('message', (data) => {
      clearTimeout(timer);
      resolve(data);
    });
  });
}

describe('SipTransport', () => {
  let transport: SipTransport;
  const inbound: InboundMessage[] = [];
  const dropped: DroppedMessage[] = [];
  let peer: UdpSocket;
  let peerPort: number;

  before(async () => {
    transport = await SipTransport.open({
      host: '127.0.0.1',
      port: 0,
      transports: ['udp', 'tcp'],
      onMessage: (m) => {
        inbound.push(m);
        if (m.message.kind === 'request' && m.message.method === 'THROW') throw new Error('boom');
      },
      onDropped: (d) => dropped.push(d),
    });
    peer = createSocket('udp4');
    peer.bind(0, '127.0.0.1');
    await once(peer, 'listening');
    peerPort = peer.address().port;
  });
  after(async () => {
    peer.close();
    await transport.close();
  });

  test('UDP and TCP share the OS-chosen port', () => {
    assert.ok(transport.udpPort! > 0);
    assert.equal(transport.tcpPort, transport.udpPort);
  });

  test('UDP request gets received and rport filled (RFC 3581)', async () => {
    inbound.length = 0;
    peer.send(options('SIP/2.0/UDP 10.9.9.9:5099;branch=z9hG4bKa1;rport'), transport.udpPort!, '127.0.0.1');
    await waitFor(() => inbound.length === 1);
    const via = getTopVia(inbound[0]!.message.headers)!;
    assert.equal(via.params.get('received'), '127.0.0.1');
    assert.equal(via.params.get('rport'), String(peerPort));
    assert.equal(inbound[0]!.source.port, peerPort);
    // The response then goes to the source address and port, not the sent-by 10.9.9.9:5099.
    const reply = createResponse(inbound[0]!.message as SipRequest, 200);
    const target = transport.responseTarget(reply, inbound[0]!.source);
    assert.deepEqual(target, { host: '127.0.0.1', port: peerPort, transport: 'udp' });
    const got = nextDatagram(peer);
    await transport.sendMessage(reply, target);
    const parsed = parseMessage(await got);
    assert.ok(parsed.ok && parsed.message.kind === 'response' && parsed.message.status === 200);
  });

  test('without rport, received is added only when the host differs (RFC 3261 §18.2.1)', async () => {
    inbound.length = 0;
    peer.send(options('SIP/2.0/UDP 127.0.0.1:5099;branch=z9hG4bKa2'), transport.udpPort!, '127.0.0.1');
    peer.send(options('SIP/2.0/UDP 10.1.1.1:5099;branch=z9hG4bKa3'), transport.udpPort!, '127.0.0.1');
    await waitFor(() => inbound.length === 2);
    const [same, other] = inbound.map((m) => getTopVia(m.message.headers)!);
    assert.equal(same!.params.has('received'), false);
    assert.equal(other!.params.get('received'), '127.0.0.1');
    assert.equal(other!.params.has('rport'), false);
  });

  test('garbage is dropped silently, a broken request with its headers gets 400', async () => {
    dropped.length = 0;
    inbound.length = 0;
    peer.send(Buffer.from('\x00\x01garbage\r\n\r\n'), transport.udpPort!, '127.0.0.1');
    peer.send(Buffer.from('\r\n\r\n'), transport.udpPort!, '127.0.0.1'); // keep-alive: ignored
    await waitFor(() => dropped.length === 1);
    assert.equal(dropped[0]!.answered, false);
    const reply = nextDatagram(peer);
    peer.send(
      options('SIP/2.0/UDP 127.0.0.1:5099;branch=z9hG4bKa4', 'Content-Length: x\r\n'),
      transport.udpPort!,
      '127.0.0.1',
    );
    const parsed = parseMessage(await reply);
    assert.ok(parsed.ok && parsed.message.kind === 'response');
    assert.equal(parsed.message.status, 400);
    assert.match(parsed.message.reason, /Content-Length/);
    assert.equal(dropped.length, 2);
    assert.equal(dropped[1]!.answered, true);
    assert.equal(transport.dropped, 2);
    assert.equal(inbound.length, 0);
  });

  test('an exception in the handler costs one message, not the socket', async () => {
    dropped.length = 0;
    inbound.length = 0;
    const throwing = options('SIP/2.0/UDP 127.0.0.1:5099;branch=z9hG4bKa5')
      .replace('OPTIONS sip', 'THROW sip')
      .replace('1 OPTIONS', '1 THROW');
    peer.send(throwing, transport.udpPort!, '127.0.0.1');
    await waitFor(() => dropped.length === 1);
    assert.match(dropped[0]!.reason, /handler failure/);
    peer.send(options('SIP/2.0/UDP 127.0.0.1:5099;branch=z9hG4bKa6'), transport.udpPort!, '127.0.0.1');
    await waitFor(() => inbound.length === 2);
  });

  test('TCP: messages are framed, answered over the same connection, pings get pongs', async () => {
    inbound.length = 0;
    const socket = connect(transport.tcpPort!, '127.0.0.1');
    await once(socket, 'connect');
    const chunks: Buffer[] = [];
    socket.on('data', (c) => chunks.push(c));
    const text = options('SIP/2.0/TCP 127.0.0.1:5099;branch=z9hG4bKt1');
    // Split mid-header to exercise the framer, then a ping.
    socket.write(text.slice(0, 40));
    await delay(20);
    socket.write(`${text.slice(40)}\r\n\r\n`);
    await waitFor(() => inbound.length === 1 && chunks.length > 0);
    assert.equal(Buffer.concat(chunks).toString(), '\r\n');
    const message = inbound[0]!;
    assert.equal(message.source.transport, 'tcp');
    const reply = createResponse(message.message as SipRequest, 200);
    const target = transport.responseTarget(reply, message.source);
    assert.deepEqual(target, message.source, 'no rport, but the open connection wins (§18.2.2)');
    chunks.length = 0;
    await transport.sendMessage(reply, target);
    await waitFor(() => Buffer.concat(chunks).includes('\r\n\r\n'));
    assert.match(Buffer.concat(chunks).toString(), /^SIP\/2.0 200 OK/);
    socket.destroy();
  });

  test('TCP: a message without Content-Length loses framing and closes the connection', async () => {
    dropped.length = 0;
    const socket = connect(transport.tcpPort!, '127.0.0.1');
    await once(socket, 'connect');
    socket.write(options('SIP/2.0/TCP 127.0.0.1:5099;branch=z9hG4bKt2').replace('Content-Length: 0\r\n', ''));
    await once(socket, 'close');
    assert.equal(dropped.length, 1);
    assert.match(dropped[0]!.reason, /Content-Length/);
  });

  test('TCP send between two transports reuses one connection each way', async () => {
    const received: InboundMessage[] = [];
    const other = await SipTransport.open({
      host: '127.0.0.1',
      port: 0,
      transports: ['tcp'],
      onMessage: (m) => received.push(m),
    });
    try {
      const to = { host: '127.0.0.1', port: other.tcpPort!, transport: 'tcp' as const };
      await transport.send(
        Buffer.from(options(`SIP/2.0/TCP 127.0.0.1:${transport.tcpPort};branch=z9hG4bKt3`)),
        to,
      );
      await transport.send(
        Buffer.from(options(`SIP/2.0/TCP 127.0.0.1:${transport.tcpPort};branch=z9hG4bKt4`)),
        to,
      );
      await waitFor(() => received.length === 2);
      assert.equal(received[0]!.source.port, received[1]!.source.port, 'same connection');
      await assert.rejects(
        transport.send(Buffer.from('x'), { host: '127.0.0.1', port: 1, transport: 'tcp' }),
      );
    } finally {
      await other.close();
    }
  });
});

describe('TCP keep-alive (RFC 5626 §4.4.1 style)', () => {
  test('connections we open send CRLFCRLF pings; pongs are not messages', async () => {
    const received: Buffer[] = [];
    const server = createServer((socket) => {
      // A pong written as the transport closes its end resets the socket: not this test's concern.
      socket.on('error', () => {});
      socket.on('data', (chunk) => {
        received.push(chunk);
        if (chunk.includes('\r\n\r\n')) socket.write('\r\n');
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const port = (server.address() as { port: number }).port;
    const inbound: InboundMessage[] = [];
    const dropped: DroppedMessage[] = [];
    const transport = await SipTransport.open({
      host: '127.0.0.1',
      port: 0,
      transports: ['tcp'],
      tcpKeepAliveMs: 30,
      onMessage: (m) => inbound.push(m),
      onDropped: (d) => dropped.push(d),
    });
    try {
      await transport.send(Buffer.from(options('SIP/2.0/TCP 127.0.0.1:1;branch=z9hG4bKk1')), {
        host: '127.0.0.1',
        port,
        transport: 'tcp',
      });
      await waitFor(() => Buffer.concat(received).toString().split('\r\n\r\n').length >= 4);
      const text = Buffer.concat(received).toString();
      assert.match(text, /^OPTIONS /);
      assert.ok(text.endsWith('\r\n\r\n'));
      assert.equal(inbound.length, 0);
      assert.equal(dropped.length, 0);
    } finally {
      await transport.close();
      server.close();
    }
  });
});

describe('responseDestination (RFC 3261 §18.2.2, RFC 3581 §4)', () => {
  const dest = (v: string) => responseDestination(parseVia(v)!);
  test('sent-by, default port', () =>
    assert.deepEqual(dest('SIP/2.0/UDP h.example'), { host: 'h.example', port: 5060, transport: 'udp' }));
  test('received and rport win', () =>
    assert.deepEqual(dest('SIP/2.0/TCP h:5070;received=1.2.3.4;rport=999'), {
      host: '1.2.3.4',
      port: 999,
      transport: 'tcp',
    }));
  test('maddr wins', () =>
    assert.deepEqual(dest('SIP/2.0/UDP h:5070;maddr=9.9.9.9;received=1.2.3.4'), {
      host: '9.9.9.9',
      port: 5070,
      transport: 'udp',
    }));
});

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function waitFor(condition: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await delay(5);
  }
}
