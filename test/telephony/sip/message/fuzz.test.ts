import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { parseAuthHeader } from '../../../../src/telephony/sip/auth/auth-params.ts';
import { parseDigestChallenges } from '../../../../src/telephony/sip/auth/digest-challenge.ts';
import { parseDigestCredentials } from '../../../../src/telephony/sip/auth/digest-credentials.ts';
import { parseCSeq } from '../../../../src/telephony/sip/message/cseq.ts';
import { parseNameAddr } from '../../../../src/telephony/sip/message/name-addr.ts';
import { type ParseResult, parseMessage } from '../../../../src/telephony/sip/message/parse-message.ts';
import { serializeMessage } from '../../../../src/telephony/sip/message/serialize-message.ts';
import { parseUri } from '../../../../src/telephony/sip/message/sip-uri.ts';
import { StreamFramer } from '../../../../src/telephony/sip/message/stream-framer.ts';
import * as typed from '../../../../src/telephony/sip/message/typed-headers.ts';
import { parseVia } from '../../../../src/telephony/sip/message/via.ts';
import { VALID } from '../fixtures/rfc4475.ts';
import { INVALID, SEMANTIC } from '../fixtures/rfc4475-invalid.ts';

const RUNS = { numRuns: 2000 };
const SEEDS: Buffer[] = [...Object.values(VALID), ...Object.values(INVALID), ...Object.values(SEMANTIC)];

type Mutation =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'duplicate'; at: number; length: number }
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'insert'; at: number; bytes: string };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat(), length: fc.nat({ max: 64 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.nat({ max: 16 }) }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    bytes: fc.constantFrom(
      '\r',
      '\n',
      '\0',
      '"',
      '\r\n',
      '\r\n ',
      '\r\n\r\n',
      '<',
      '>',
      ',',
      ';',
      '\\',
      ' ',
      '%',
      ':',
      '\xff',
    ),
  }),
);

function mutate(seed: Buffer, mutations: readonly Mutation[]): Buffer {
  let buf = Buffer.from(seed);
  for (const m of mutations) {
    const at = m.at % (buf.length + 1);
    if (m.kind === 'flip' && at < buf.length) buf[at] = buf[at]! ^ (1 << m.bit);
    if (m.kind === 'truncate') buf = buf.subarray(0, at);
    if (m.kind === 'duplicate') buf = Buffer.concat([buf.subarray(0, at + m.length), buf.subarray(at)]);
    if (m.kind === 'delete') buf = Buffer.concat([buf.subarray(0, at), buf.subarray(at + m.length)]);
    if (m.kind === 'insert')
      buf = Buffer.concat([buf.subarray(0, at), Buffer.from(m.bytes, 'latin1'), buf.subarray(at)]);
  }
  return buf;
}

const mutated = fc
  .tuple(fc.constantFrom(...SEEDS), fc.array(mutation, { minLength: 1, maxLength: 4 }))
  .map(([seed, mutations]) => mutate(seed, mutations));

/** Checks a result is well-formed, and for accepted messages that every view works and is stable. */
function checkResult(result: ParseResult): void {
  assert.equal(typeof result.ok, 'boolean');
  if (!result.ok) {
    assert.equal(typeof result.reason, 'string');
    assert.doesNotMatch(result.reason, /parser failure/);
    if (result.canReply) assert.ok(result.partial?.kind === 'request');
    return;
  }
  const h = result.message.headers;
  for (const get of Object.values(typed)) if (typeof get === 'function') get(h);
  // Serializing may add or fix Content-Length; after that the wire form is a fixed point.
  const wire = serializeMessage(result.message);
  const again = parseMessage(wire);
  assert.ok(again.ok, again.ok ? '' : again.reason);
  assert.deepEqual(Buffer.from(again.message.body), Buffer.from(result.message.body));
  assert.deepEqual(serializeMessage(again.message), wire);
}

describe('the parser never throws and never hits its safety net', () => {
  test('random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2048 }), fc.boolean(), (bytes, stream) => {
        checkResult(parseMessage(bytes, { transport: stream ? 'stream' : 'datagram' }));
      }),
      RUNS,
    );
  });

  test('random lines of SIP-looking fragments', () => {
    const fragment = fc.oneof(
      fc.constantFrom(
        'INVITE sip:a@b SIP/2.0',
        'SIP/2.0 200 OK',
        'Via: SIP/2.0/UDP h;branch=z9hG4bK1',
        'v: SIP/2.0/TCP [::1]:5060;rport',
        'From: "a\\"" <sip:a@b>;tag=1',
        'To: <sip:b@c>',
        'Call-ID: x@y',
        'CSeq: 1 INVITE',
        'Max-Forwards: 70',
        'Content-Length: 3',
        'l: 0',
        'Contact: *',
        ' folded',
        '',
      ),
      fc.string({ unit: 'binary-ascii', maxLength: 40 }),
    );
    fc.assert(
      fc.property(fc.array(fragment, { maxLength: 14 }), (lines) => {
        checkResult(parseMessage(lines.join('\r\n')));
      }),
      RUNS,
    );
  });

  test('mutated RFC 4475 messages: flips, truncation, duplication, inserted CR/LF/NUL/quotes', () => {
    fc.assert(
      fc.property(mutated, fc.boolean(), (data, stream) => {
        checkResult(parseMessage(data, { transport: stream ? 'stream' : 'datagram' }));
      }),
      RUNS,
    );
  });

  test('header value parsers on random text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary-ascii', maxLength: 80 }), (s) => {
        parseUri(s);
        parseNameAddr(s);
        parseVia(s);
        parseCSeq(s);
        parseAuthHeader(s);
        parseDigestChallenges([s, `Digest ${s}`]);
        parseDigestCredentials(`Digest ${s}`);
      }),
      RUNS,
    );
  });

  test('the stream framer on mutated input in random chunks', () => {
    fc.assert(
      fc.property(mutated, fc.array(fc.integer({ min: 1, max: 300 }), { maxLength: 8 }), (data, cuts) => {
        const framer = new StreamFramer({ maxMessageBytes: 2048 });
        let pos = 0;
        for (const size of [...cuts, data.length]) {
          for (const event of framer.push(data.subarray(pos, pos + size))) {
            if (event.kind === 'message') checkResult(parseMessage(event.data, { transport: 'stream' }));
          }
          pos += size;
        }
        assert.ok(framer.buffered <= data.length);
      }),
      RUNS,
    );
  });
});
