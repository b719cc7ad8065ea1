import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { test } from 'node:test';
import type { ThreadedSipDriver } from '../../src/wiring/sip-thread/threaded-sip-driver.ts';
import type { TestServer } from '../support/test-server.ts';
import { placeCall, settledCall, startSipServer } from './support/pconn-sip.ts';
import { type Sipp, sippResult, skipWithoutSipp, startSipp } from './support/sipp.ts';

/*
 * Datagrams no SIP peer should send, aimed at pconn's SIP port while a bridged call is up:
 * the call must carry on and end as usual, and the port must keep answering.
 */

const skip = skipWithoutSipp();

/** What a broken or hostile sender puts on the wire (`port`: pconn's SIP port). */
function garbage(port: number): Buffer[] {
  const text = (lines: string[]) => Buffer.from(`${lines.join('\r\n')}\r\n\r\n`);
  return [
    randomBytes(1),
    randomBytes(300),
    randomBytes(1400),
    Buffer.from('\0\0\0\0'),
    // Truncated in the middle of a header, no blank line.
    Buffer.from(
      `INVITE sip:agent@127.0.0.1:${port} SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bKcut\r\nCall-`,
    ),
    // A 200 to an INVITE nobody sent: unknown branch, unknown dialog.
    text([
      'SIP/2.0 200 OK',
      `Via: SIP/2.0/UDP 127.0.0.1:${port};branch=z9hG4bKnobodysentthis`,
      'From: <sip:pconn@127.0.0.1>;tag=unknown-from',
      'To: <sip:x@127.0.0.1>;tag=unknown-to',
      'Call-ID: no-such-call@127.0.0.1',
      'CSeq: 1 INVITE',
      'Content-Length: 0',
    ]),
    // A request whose Via cannot be parsed.
    text([
      `OPTIONS sip:pconn@127.0.0.1:${port} SIP/2.0`,
      'Via: SIP/2.0/UDP ;;;branch==',
      'From: <sip:x@127.0.0.1>;tag=1',
      `To: <sip:pconn@127.0.0.1:${port}>`,
      'Call-ID: broken-via@127.0.0.1',
      'CSeq: 1 OPTIONS',
      'Max-Forwards: 70',
      'Content-Length: 0',
    ]),
    // Content-Length beyond the datagram, a BYE for a dialog that does not exist.
    text([
      `BYE sip:pconn@127.0.0.1:${port} SIP/2.0`,
      'Via: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bKbye-nodialog',
      'From: <sip:x@127.0.0.1>;tag=a',
      'To: <sip:pconn@127.0.0.1>;tag=b',
      'Call-ID: no-such-dialog@127.0.0.1',
      'CSeq: 2 BYE',
      'Max-Forwards: 70',
      'Content-Length: 5000',
    ]),
  ];
}

/** Sends an OPTIONS from `socket` to pconn and resolves with the status line of the reply. */
async function probe(socket: ReturnType<typeof createSocket>, port: number): Promise<string> {
  const { port: local } = socket.address();
  const options = [
    `OPTIONS sip:pconn@127.0.0.1:${port} SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:${local};branch=z9hG4bKprobe${Date.now()};rport`,
    `From: <sip:probe@127.0.0.1:${local}>;tag=probe`,
    `To: <sip:pconn@127.0.0.1:${port}>`,
    `Call-ID: probe-${Date.now()}@127.0.0.1`,
    'CSeq: 1 OPTIONS',
    'Max-Forwards: 70',
    'Content-Length: 0',
  ];
  const reply = once(socket, 'message');
  socket.send(`${options.join('\r\n')}\r\n\r\n`, port, '127.0.0.1');
  const timeout = new Promise<never>((_, reject) =>
    setTimeout(() => reject(new Error('no answer to OPTIONS')), 3000).unref(),
  );
  const [data] = (await Promise.race([reply, timeout])) as [Buffer];
  return data.toString('utf8').split('\r\n')[0] ?? '';
}

test('garbage datagrams during a bridged call change nothing', { skip }, async () => {
  let server: TestServer | undefined;
  const peers: Sipp[] = [];
  const socket = createSocket('udp4');
  try {
    server = await startSipServer();
    const sipPort = (server.pconn.driver as ThreadedSipDriver).address.port;
    socket.bind(0, '127.0.0.1');
    await once(socket, 'listening');
    const agent = await startSipp({ scenario: 'agent-answers.xml' });
    peers.push(agent);
    // The contact holds the call 2 s, while the garbage arrives.
    const contact = await startSipp({ scenario: 'contact-holds.xml', pauseMs: 2000 });
    peers.push(contact);
    const id = await placeCall(server, {
      agentDevice: { type: 'sip', uri: `sip:agent@127.0.0.1:${agent.port}` },
      trunk: { uri: `sip:127.0.0.1:${contact.port}` },
    });
    await settledCall(server, id, ['connected']);
    // Drain the replies (400s, 481s) so the probe below reads its own answer.
    const replies: string[] = [];
    const collect = (data: Buffer) => replies.push(data.toString('utf8').split('\r\n')[0] ?? '');
    socket.on('message', collect);
    for (let round = 0; round < 5; round++)
      for (const datagram of garbage(sipPort)) socket.send(datagram, sipPort, '127.0.0.1');
    await new Promise((resolve) => setTimeout(resolve, 300));
    socket.off('message', collect);
    assert.ok(
      replies.every((line) => /^SIP\/2\.0 (400|481) /.test(line)),
      `only 400/481 come back: ${replies.join(' | ')}`,
    );
    assert.equal(await probe(socket, sipPort), 'SIP/2.0 200 OK', 'the SIP port still answers');
    const during = await settledCall(server, id, ['connected']);
    assert.equal(during.status, 'connected', 'the call is still up');
    const call = await settledCall(server, id);
    assert.equal(call.status, 'completed', JSON.stringify(call));
    assert.equal(call.outcome, 'answered');
    assert.equal(call.attempt.sipStatus, 200);
    for (const peer of [agent, contact])
      assert.equal(await sippResult(peer), 0, `sipp failed:\n${peer.errors()}`);
    assert.equal(await probe(socket, sipPort), 'SIP/2.0 200 OK', 'the SIP port answers after the call');
  } finally {
    socket.close();
    await Promise.all(peers.map((peer) => peer.stop()));
    await server?.close();
  }
});
