import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseMessage } from '../../../../src/telephony/sip/message/parse-message.ts';
import { type FramerEvent, StreamFramer } from '../../../../src/telephony/sip/message/stream-framer.ts';
import { VALID } from '../fixtures/rfc4475.ts';

const CRLF = Buffer.from('\r\n');
const PING = Buffer.from('\r\n\r\n');

function summary(events: FramerEvent[]): string[] {
  return events.map((e) => (e.kind === 'message' ? `message:${e.data.length}` : e.kind));
}

function feed(framer: StreamFramer, chunks: Buffer[]): FramerEvent[] {
  return chunks.flatMap((chunk) => framer.push(chunk));
}

describe('StreamFramer', () => {
  test('two messages and a ping split at every byte boundary reassemble', () => {
    const a = VALID.wsinv;
    const b = VALID.mpart01; // its binary body holds CRLFCRLF: only Content-Length may delimit it
    const stream = Buffer.concat([a, PING, b]);
    for (let cut = 0; cut <= stream.length; cut++) {
      const framer = new StreamFramer();
      const events = feed(framer, [stream.subarray(0, cut), stream.subarray(cut)]);
      assert.deepEqual(
        summary(events),
        [`message:${a.length}`, 'ping', `message:${b.length}`],
        `cut at ${cut}`,
      );
      assert.equal(framer.buffered, 0);
    }
  });

  test('one byte at a time', () => {
    const stream = Buffer.concat(Object.values(VALID).filter((m) => m !== VALID.dblreq));
    const framer = new StreamFramer();
    const events: FramerEvent[] = [];
    for (let i = 0; i < stream.length; i++) events.push(...framer.push(stream.subarray(i, i + 1)));
    const messages = events.filter((e) => e.kind === 'message');
    assert.equal(messages.length, Object.keys(VALID).length - 1);
    for (const m of messages) assert.ok(parseMessage(m.data, { transport: 'stream' }).ok);
  });

  test('two messages in one chunk; RFC 4475 dblreq is two requests on a stream', () => {
    const framer = new StreamFramer();
    const events = framer.push(VALID.dblreq);
    assert.equal(events.length, 2);
    const methods = events.map((e) => {
      const parsed = e.kind === 'message' ? parseMessage(e.data, { transport: 'stream' }) : undefined;
      return parsed?.ok && parsed.message.kind === 'request' ? parsed.message.method : '?';
    });
    assert.deepEqual(methods, ['REGISTER', 'INVITE']);
  });

  test('keep-alives (RFC 5626 §4.4.1): ping, pong, and CRLF before a message', () => {
    const server = new StreamFramer();
    assert.deepEqual(summary(server.push(PING)), ['ping']);
    // A ping split across reads is still one ping on the server side.
    assert.deepEqual(summary(server.push(CRLF)), []);
    assert.deepEqual(summary(server.push(CRLF)), ['ping']);
    // A lone CRLF followed by a message is noise before the start line (RFC 3261 §7.5).
    assert.deepEqual(summary(server.push(Buffer.concat([CRLF, VALID.noreason]))), [
      'pong',
      `message:${VALID.noreason.length}`,
    ]);
    const client = new StreamFramer({ role: 'client' });
    assert.deepEqual(summary(client.push(CRLF)), ['pong']);
    assert.deepEqual(summary(client.push(PING)), ['ping']);
  });

  test('bounds what it buffers and fails for good on lost framing', () => {
    const small = new StreamFramer({ maxMessageBytes: 100 });
    assert.deepEqual(summary(small.push(Buffer.alloc(101, 0x41))), ['error']);
    assert.deepEqual(small.push(VALID.noreason), []);
    assert.equal(small.buffered, 0);

    const big = new StreamFramer({ maxMessageBytes: 300 });
    const events = big.push(VALID.wsinv);
    assert.equal(events[0]?.kind, 'error');
    assert.match(events[0]?.kind === 'error' ? events[0].reason : '', /exceeds 300/);

    for (const [head, reason] of [
      ['OPTIONS sip:a@b SIP/2.0\r\nTo: <sip:a@b>\r\n\r\n', /missing Content-Length/],
      ['OPTIONS sip:a@b SIP/2.0\r\nl: -1\r\n\r\n', /malformed Content-Length/],
      ['OPTIONS sip:a@b SIP/2.0\r\nl: 1\r\nContent-Length: 1\r\n\r\n', /more than one/],
    ] as const) {
      const [event] = new StreamFramer().push(Buffer.from(head));
      assert.equal(event?.kind, 'error');
      assert.match(event?.kind === 'error' ? event.reason : '', reason);
    }
  });

  test('default limit is 64 KiB, for headers and body together', () => {
    const body = Buffer.alloc(64 * 1024, 0x61);
    const head = Buffer.from(`MESSAGE sip:a@b SIP/2.0\r\nContent-Length: ${body.length}\r\n\r\n`);
    const [event] = new StreamFramer().push(Buffer.concat([head, body]));
    assert.equal(event?.kind, 'error');
    const fits = Buffer.from(`MESSAGE sip:a@b SIP/2.0\r\nl: ${64 * 1024 - 40}\r\n\r\n`);
    const framer = new StreamFramer();
    const chunks = Buffer.concat([fits, Buffer.alloc(64 * 1024 - 40, 0x62)]);
    const out: FramerEvent[] = [];
    for (let i = 0; i < chunks.length; i += 1460) out.push(...framer.push(chunks.subarray(i, i + 1460)));
    assert.deepEqual(summary(out), [`message:${chunks.length}`]);
  });
});
