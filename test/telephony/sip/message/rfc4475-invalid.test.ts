import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createResponse } from '../../../../src/telephony/sip/message/create-response.ts';
import { parseMessage } from '../../../../src/telephony/sip/message/parse-message.ts';
import { serializeMessage } from '../../../../src/telephony/sip/message/serialize-message.ts';
import { INVALID } from '../fixtures/rfc4475-invalid.ts';

/**
 * Expected outcome per message: the reason we give, and whether a transport may answer (400,
 * or 505 for badvers) or must drop. Where RFC 4475 lets an element be liberal, the comment
 * says what we chose.
 */
const EXPECTED: Record<keyof typeof INVALID, { reason: RegExp; canReply: boolean; status?: 400 | 505 }> = {
  // §3.1.2.1: empty Via and Contact parameters. The top Via's sent-by is intact, so a 400
  // can still be routed.
  badinv01: { reason: /malformed Via/, canReply: true },
  // §3.1.2.2: body shorter than Content-Length: RFC 3261 §18.3 says 400 over UDP.
  clerr: { reason: /body shorter than Content-Length/, canReply: true },
  // §3.1.2.3: negative Content-Length.
  ncl: { reason: /malformed Content-Length/, canReply: true },
  // §3.1.2.4: CSeq >= 2**31, Max-Forwards > 255, Expires > 2**32-1 (CSeq is found first).
  scalar02: { reason: /malformed CSeq/, canReply: true },
  // §3.1.2.5: a response with an overlarge CSeq: responses are never answered, just dropped.
  scalarlg: { reason: /malformed CSeq/, canReply: false },
  // §3.1.2.6: unterminated quote in To.
  quotbal: { reason: /malformed To/, canReply: true },
  // §3.1.2.7: Request-URI in angle brackets.
  ltgtruri: { reason: /malformed Request-URI/, canReply: true },
  // §3.1.2.8-10: RFC 4475 lets an element ignore stray SP in the Request-Line; we do not:
  // RFC 3261 §7.1 says single SP, and guessing where a URI ends is how ambiguity creeps in.
  lwsruri: { reason: /malformed Request-Line/, canReply: true },
  lwsstart: { reason: /malformed Request-Line/, canReply: true },
  trws: { reason: /malformed Request-Line/, canReply: true },
  // §3.1.2.11: headers in a Request-URI (RFC 3261 §19.1.1 table 1).
  escruri: { reason: /Request-URI carries headers/, canReply: true },
  // §3.1.2.12: non-GMT Date. RFC 4475 lets an element that ignores Date accept it; checking
  // it is one anchored regex, and RFC 3261 §20.17 says GMT MUST be used, so we refuse it.
  baddate: { reason: /malformed Date/, canReply: true },
  // §3.1.2.13: addr-spec with '?' outside angle brackets. RFC 4475 allows inferring the
  // brackets; we refuse: RFC 3261 §20.10 requires them.
  regbadct: { reason: /malformed Contact/, canReply: true },
  // §3.1.2.14: spaces inside <>. We do not strip them (RFC 4475 allows being liberal).
  badaspec: { reason: /malformed To/, canReply: true },
  // §3.1.2.15: unquoted display names with ','. We do not infer the quotes.
  baddn: { reason: /malformed To/, canReply: true },
  // §3.1.2.16: SIP/7.0: RFC 3261 §21.5.20 505 Version Not Supported.
  badvers: { reason: /unsupported SIP version/, canReply: true, status: 505 },
  // §3.1.2.17-18: CSeq method differs from the request method.
  mismatch01: { reason: /CSeq method differs/, canReply: true },
  mismatch02: { reason: /CSeq method differs/, canReply: true },
  // §3.1.2.19: status code above 699: responses are dropped.
  bigcode: { reason: /Status-Code outside 100-699/, canReply: false },
  // §3.3.1: no To, From or Call-ID. RFC 4475 hopes for a 400, but a response needs exactly
  // those headers (RFC 3261 §8.2.6.2), so there is nothing valid to send: dropped.
  insuf: { reason: /missing To/, canReply: false },
  // §3.3.8: two To, From, CSeq, Call-ID: same reasoning, we cannot tell which to copy.
  multi01: { reason: /more than one To/, canReply: false },
  // §3.3.9: two Content-Length values.
  mcl01: { reason: /more than one Content-Length/, canReply: true },
  // §3.4: an RFC 2543 INVITE without Max-Forwards. RFC 4475 says an element may accept it;
  // RFC 3261 §8.1.1 makes Max-Forwards mandatory and our peers are all RFC 3261 elements.
  inv2543: { reason: /missing Max-Forwards/, canReply: true },
};

describe('RFC 4475 invalid messages are rejected', () => {
  for (const [name, data] of Object.entries(INVALID)) {
    const expected = EXPECTED[name as keyof typeof INVALID];
    test(`${name}: ${expected.reason.source}, ${expected.canReply ? 'answerable' : 'dropped'}`, () => {
      const result = parseMessage(data);
      assert.equal(result.ok, false);
      if (result.ok) return;
      assert.match(result.reason, expected.reason);
      assert.equal(result.canReply, expected.canReply);
      if (!expected.canReply) return;
      assert.equal(result.replyStatus, expected.status ?? 400);
      // The partial message holds what the answer copies (RFC 3261 §8.2.6.2), even when
      // those values are the broken ones.
      assert.ok(result.partial);
      const answer = createResponse(result.partial, result.replyStatus ?? 400, { toTag: 'x1' });
      assert.deepEqual(answer.headers.getAll('via'), result.partial.headers.getAll('via'));
      for (const name of ['From', 'Call-ID', 'CSeq']) {
        assert.equal(answer.headers.get(name), result.partial.headers.get(name));
      }
      assert.match(serializeMessage(answer).toString('latin1'), /^SIP\/2\.0 (400 Bad Request|505 Version)/);
    });
  }
});

describe('the same messages over a stream', () => {
  test('a stream message without Content-Length is invalid (RFC 3261 §18.3)', () => {
    const lines = [
      'OPTIONS sip:user@example.com SIP/2.0',
      'Via: SIP/2.0/TCP host.example.com;branch=z9hG4bKx',
      'To: <sip:user@example.com>',
      'From: <sip:a@example.com>;tag=1',
      'Call-ID: abc',
      'CSeq: 1 OPTIONS',
      'Max-Forwards: 70',
    ];
    const data = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`);
    assert.equal(parseMessage(data).ok, true);
    const stream = parseMessage(data, { transport: 'stream' });
    assert.equal(stream.ok, false);
    assert.match(stream.ok ? '' : stream.reason, /missing Content-Length/);
  });
});
