import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { connect } from 'node:net';
import { test } from 'node:test';
import { SipTransport } from '../../../../src/telephony/sip/transport/sip-transport.ts';
import type { InboundMessage } from '../../../../src/telephony/sip/transport/transport-types.ts';

// The transports read their bound ports once (a getsockname per Via and Contact was measurable
// per call): these tests show the remembered ports stay the ones the sockets are bound to.

function options(branch: string): string {
  return (
    'OPTIONS sip:ua@127.0.0.1 SIP/2.0\r\n' +
    `Via: SIP/2.0/UDP 127.0.0.1:5099;branch=${branch}\r\n` +
    'Max-Forwards: 70\r\nFrom: <sip:a@x>;tag=1\r\nTo: <sip:ua@127.0.0.1>\r\n' +
    'Call-ID: c1@x\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n'
  );
}

/** Opens a UDP+TCP transport on `port` whose received messages go to `inbound`. */
function open(port: number, inbound: InboundMessage[]): Promise<SipTransport> {
  return SipTransport.open({
    host: '127.0.0.1',
    port,
    transports: ['udp', 'tcp'],
    onMessage: (message) => inbound.push(message),
  });
}

/** Resolves once a datagram sent to `udpPort` reached the transport, and a TCP connection to `tcpPort` opened. */
async function reachable(udpPort: number, tcpPort: number, inbound: InboundMessage[], branch: string) {
  const peer = createSocket('udp4');
  try {
    const arrived = new Promise<void>((resolve, reject) => {
      const deadline = setTimeout(() => reject(new Error(`nothing arrived on UDP ${udpPort}`)), 5000);
      const poll = setInterval(() => {
        if (!inbound.some((m) => m.message.headers.get('via')?.includes(branch))) return;
        clearInterval(poll);
        clearTimeout(deadline);
        resolve();
      }, 5);
    });
    peer.send(options(branch), udpPort, '127.0.0.1');
    await arrived;
  } finally {
    peer.close();
  }
  const socket = connect(tcpPort, '127.0.0.1');
  await once(socket, 'connect');
  socket.destroy();
}

test('each transport reports the ports its own sockets are bound to, also on a reused port', async () => {
  const firstInbound: InboundMessage[] = [];
  const secondInbound: InboundMessage[] = [];
  const first = await open(0, firstInbound);
  const second = await open(0, secondInbound);
  const firstPort = first.udpPort;
  assert.ok(firstPort !== undefined && firstPort > 0, 'the first transport has a UDP port');
  assert.ok(second.udpPort !== undefined && second.udpPort > 0, 'the second transport has a UDP port');
  assert.notEqual(second.udpPort, firstPort);
  await reachable(firstPort, first.tcpPort!, firstInbound, 'z9hG4bKfirst');
  await reachable(second.udpPort, second.tcpPort!, secondInbound, 'z9hG4bKsecond');
  assert.equal(secondInbound.length, 1, 'the datagram to the second port reached only the second transport');

  // The port freed by the first transport, bound again by a third: it reports that port.
  await first.close();
  const thirdInbound: InboundMessage[] = [];
  const third = await open(firstPort, thirdInbound);
  try {
    assert.equal(third.udpPort, firstPort);
    assert.equal(third.tcpPort, firstPort);
    await reachable(firstPort, firstPort, thirdInbound, 'z9hG4bKthird');
  } finally {
    await third.close();
    await second.close();
  }
});
