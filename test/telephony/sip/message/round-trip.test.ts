import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { parseNameAddr, serializeNameAddr } from '../../../../src/telephony/sip/message/name-addr.ts';
import { parseMessage } from '../../../../src/telephony/sip/message/parse-message.ts';
import { serializeMessage } from '../../../../src/telephony/sip/message/serialize-message.ts';
import type { SipMessage } from '../../../../src/telephony/sip/message/sip-message.ts';
import { parseUri, serializeUri } from '../../../../src/telephony/sip/message/sip-uri.ts';
import { parseVia, serializeVia } from '../../../../src/telephony/sip/message/via.ts';
import { VALID } from '../fixtures/rfc4475.ts';
import { nameAddr, sipMessage, uri, via } from '../fixtures/sip-arbitraries.ts';

const RUNS = { numRuns: 2000 };

/** A comparable view of a message: start line, header fields in order, body bytes. */
function view(m: SipMessage): unknown {
  const start = m.kind === 'request' ? [m.method, m.uri] : [m.status, m.reason];
  return [m.kind, ...start, m.headers.entries(), Buffer.from(m.body).toString('hex')];
}

describe('round trips', () => {
  test('parseUri(serializeUri(u)) equals u', () => {
    fc.assert(
      fc.property(uri, (u) => {
        assert.deepEqual(parseUri(serializeUri(u)), u);
      }),
      RUNS,
    );
  });

  test('parseNameAddr(serializeNameAddr(n)) equals n', () => {
    fc.assert(
      fc.property(nameAddr, (n) => {
        assert.deepEqual(parseNameAddr(serializeNameAddr(n)), n);
      }),
      RUNS,
    );
  });

  test('parseVia(serializeVia(v)) equals v', () => {
    fc.assert(
      fc.property(via, (v) => {
        assert.deepEqual(parseVia(serializeVia(v)), v);
      }),
      RUNS,
    );
  });

  test('parse(serialize(m)) equals m for generated messages, over datagrams and streams', () => {
    fc.assert(
      fc.property(sipMessage, (m) => {
        const wire = serializeMessage(m);
        for (const transport of ['datagram', 'stream'] as const) {
          const parsed = parseMessage(wire, { transport });
          assert.ok(parsed.ok, parsed.ok ? '' : `${parsed.reason}\n${wire.toString('latin1')}`);
          assert.deepEqual(view(parsed.message), view(m));
        }
      }),
      RUNS,
    );
  });

  test('RFC 4475 valid messages are stable once normalized', () => {
    for (const [name, data] of Object.entries(VALID)) {
      const first = parseMessage(data);
      assert.ok(first.ok, name);
      const wire = serializeMessage(first.message);
      const second = parseMessage(wire);
      assert.ok(second.ok, name);
      assert.deepEqual(view(second.message), view(first.message), name);
      assert.deepEqual(serializeMessage(second.message), wire, name);
    }
  });
});
