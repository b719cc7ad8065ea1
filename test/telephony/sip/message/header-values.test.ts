import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createResponse } from '../../../../src/telephony/sip/message/create-response.ts';
import { parseCSeq } from '../../../../src/telephony/sip/message/cseq.ts';
import { newBranch, newCallId, newTag } from '../../../../src/telephony/sip/message/message-ids.ts';
import { parseNameAddr, serializeNameAddr } from '../../../../src/telephony/sip/message/name-addr.ts';
import { parseMessage } from '../../../../src/telephony/sip/message/parse-message.ts';
import { splitList } from '../../../../src/telephony/sip/message/sip-grammar.ts';
import { SipHeaders } from '../../../../src/telephony/sip/message/sip-headers.ts';
import { parseUri, serializeUri } from '../../../../src/telephony/sip/message/sip-uri.ts';
import { getTopVia, getVias } from '../../../../src/telephony/sip/message/typed-headers.ts';
import { parseVia, serializeVia } from '../../../../src/telephony/sip/message/via.ts';

describe('sip-uri', () => {
  test('parses every part of a SIP URI', () => {
    assert.deepEqual(
      parseUri('SIPS:alice:se%63ret@[2001:db8::1]:5061;transport=tcp;lr?subject=hi%20there&x='),
      {
        kind: 'sip',
        scheme: 'sips',
        user: 'alice',
        password: 'secret',
        host: '[2001:db8::1]',
        port: 5061,
        params: new Map([
          ['transport', 'tcp'],
          ['lr', null],
        ]),
        headers: [
          ['subject', 'hi there'],
          ['x', ''],
        ],
      },
    );
  });

  test('parses tel URIs and keeps other schemes opaque', () => {
    assert.deepEqual(parseUri('tel:+1-212-555-0101;ext=12'), {
      kind: 'tel',
      number: '+1-212-555-0101',
      params: new Map([['ext', '12']]),
    });
    assert.deepEqual(parseUri('urn:service:sos'), { kind: 'other', scheme: 'urn', value: 'service:sos' });
  });

  test('rejects malformed URIs', () => {
    for (const bad of [
      'sip:',
      'sip:@host',
      'sip:user@',
      'sip:a@b@c',
      'sip:host:65536',
      'sip:host:',
      'sip:host;=x',
      'sip:host;a=',
      'sip:host;a;a',
      'sip:us er@host',
      'sip:user%G1@host',
      'sip:[::1',
      'sip:host?x',
      'sip:.host',
      'tel:1+2',
      '1sip:host',
      '<sip:host>',
      'mailto:',
    ]) {
      assert.equal(parseUri(bad), undefined, bad);
    }
  });

  test('serializes with escapes and parses back', () => {
    const uri = parseUri('sip:sips%3Auser%40example.com@example.net;n%61me=v%61lue%25');
    assert.ok(uri);
    assert.equal(serializeUri(uri), 'sip:sips%3Auser%40example.com@example.net;name=value%25');
    assert.deepEqual(parseUri(serializeUri(uri)), uri);
  });
});

describe('name-addr', () => {
  test('parses display names, brackets, addr-spec and parameters', () => {
    const a = parseNameAddr('"A \\"B\\"" <sip:a@example.com;transport=tcp>;tag=1;q=0.5');
    assert.equal(a?.displayName, 'A "B"');
    assert.deepEqual(
      [...(a?.params ?? [])],
      [
        ['tag', '1'],
        ['q', '0.5'],
      ],
    );
    const b = parseNameAddr('sip:a@example.com;tag=2');
    assert.equal(b?.displayName, undefined);
    assert.equal(b?.uri.kind === 'sip' ? b.uri.params.size : -1, 0);
    assert.equal(b?.params.get('tag'), '2');
  });

  test('rejects what RFC 3261 §20.10 and §25.1 do not allow', () => {
    for (const bad of [
      '"unterminated <sip:a@b>',
      '<sip:a@b',
      'sip:a@b?x=y',
      '< sip:a@b>',
      'Bell, Alexander <sip:a@b>',
      '<sip:a@b>;;tag=1',
      '<sip:a@b>;tag=1;TAG=2',
      '<sip:a@b> junk',
      '"x" sip:a@b',
    ]) {
      assert.equal(parseNameAddr(bad), undefined, bad);
    }
    assert.deepEqual([...(parseNameAddr('<sip:a@b>;tag')?.params ?? [])], [['tag', null]]);
  });

  test('serializes in brackets, quoting display names that are not tokens', () => {
    const value = parseNameAddr('Alice <sip:alice@example.com;lr>;tag=9');
    assert.ok(value);
    assert.equal(serializeNameAddr(value), 'Alice <sip:alice@example.com;lr>;tag=9');
    assert.equal(
      serializeNameAddr({ ...value, displayName: 'Bell, A.' }),
      '"Bell, A." <sip:alice@example.com;lr>;tag=9',
    );
  });
});

describe('via and cseq', () => {
  test('parses sent-by with spaces around separators, IPv6 and received', () => {
    const via = parseVia(
      'SIP / 2.0 / udp [2001:db8::9] : 5070 ;branch=z9hG4bKx;received=2001:db8::10;rport=5070',
    );
    assert.deepEqual(via, {
      protocol: 'SIP',
      version: '2.0',
      transport: 'UDP',
      host: '[2001:db8::9]',
      port: 5070,
      params: new Map([
        ['branch', 'z9hG4bKx'],
        ['received', '2001:db8::10'],
        ['rport', '5070'],
      ]),
    });
    assert.equal(
      serializeVia(via!),
      'SIP/2.0/UDP [2001:db8::9]:5070;branch=z9hG4bKx;received=2001:db8::10;rport=5070',
    );
  });

  test('rejects malformed Vias', () => {
    for (const bad of [
      'SIP/2.0/UDP',
      'SIP/2.0 host',
      'SIP/2.0/UDPhost',
      'SIP/2.0/UDP host:99999',
      'SIP/2.0/UDP host;ttl=256',
      'SIP/2.0/UDP host;received=example.com',
      'SIP/2.0/UDP host;branch',
      'SIP/2.0/UDP host;rport=x',
      'SIP/2.0/UDP host junk',
    ]) {
      assert.equal(parseVia(bad), undefined, bad);
    }
  });

  test('CSeq: leading zeros, bounds, method', () => {
    assert.deepEqual(parseCSeq('0009 INVITE'), { seq: 9, method: 'INVITE' });
    assert.deepEqual(parseCSeq(`${2 ** 31 - 1} ACK`), { seq: 2 ** 31 - 1, method: 'ACK' });
    for (const bad of [`${2 ** 31} ACK`, '1', 'x INVITE', '1 IN VITE', '-1 ACK', '1 INVITE;x']) {
      assert.equal(parseCSeq(bad), undefined, bad);
    }
  });
});

describe('SipHeaders', () => {
  test('case-insensitive and compact-form lookups, order kept', () => {
    const h = new SipHeaders([
      ['v', 'SIP/2.0/UDP a;branch=z9hG4bK1, SIP/2.0/UDP b;branch=z9hG4bK2'],
      ['Call-ID', 'x@y'],
      ['VIA', 'SIP/2.0/TCP c;branch=z9hG4bK3'],
    ]);
    assert.equal(h.get('i'), 'x@y');
    assert.equal(h.count('via'), 2);
    assert.deepEqual(
      getVias(h)?.map((v) => v.host),
      ['a', 'b', 'c'],
    );
    h.prepend('Via', 'SIP/2.0/UDP top;branch=z9hG4bK0');
    assert.equal(getTopVia(h)?.host, 'top');
    h.set('call-id', 'z@y');
    assert.deepEqual(h.entries()[2], ['call-id', 'z@y']);
    assert.equal(h.delete('v'), 3);
    assert.deepEqual(getVias(h), []);
    assert.throws(() => h.append('Bad Name', 'x'), RangeError);
    assert.throws(() => h.append('X-Inject', 'a\r\nVia: evil'), RangeError);
  });

  test('lists split at top-level commas only', () => {
    assert.deepEqual(splitList('"a, b" <sip:x@y;p=1,2>, <sip:z@w>, ,c'), [
      '"a, b" <sip:x@y;p=1,2>',
      '<sip:z@w>',
      '',
      'c',
    ]);
    assert.deepEqual(splitList('"esc \\" , still" <sip:a@b>, d'), ['"esc \\" , still" <sip:a@b>', 'd']);
    const h = new SipHeaders([['WWW-Authenticate', 'Digest realm="a", nonce="b"']]);
    assert.equal(h.list('www-authenticate').length, 1);
  });
});

describe('responses and ids', () => {
  test('createResponse copies Vias, From, To (+tag), Call-ID, CSeq', () => {
    const result = parseMessage(
      [
        'INVITE sip:bob@example.com SIP/2.0',
        'Via: SIP/2.0/UDP a.example.com;branch=z9hG4bK1',
        'v: SIP/2.0/UDP b.example.com;branch=z9hG4bK2',
        'From: <sip:alice@example.com>;tag=1',
        'To: <sip:bob@example.com>',
        'Call-ID: c1',
        'CSeq: 1 INVITE',
        'Max-Forwards: 70',
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n'),
    );
    assert.ok(result.ok);
    const response = createResponse(result.message, 486, { toTag: 'b2' });
    assert.equal(response.reason, 'Busy Here');
    assert.deepEqual(response.headers.entries(), [
      ['Via', 'SIP/2.0/UDP a.example.com;branch=z9hG4bK1'],
      ['Via', 'SIP/2.0/UDP b.example.com;branch=z9hG4bK2'],
      ['From', '<sip:alice@example.com>;tag=1'],
      ['To', '<sip:bob@example.com>;tag=b2'],
      ['Call-ID', 'c1'],
      ['CSeq', '1 INVITE'],
    ]);
  });

  test('branches carry the magic cookie; ids are unique tokens', () => {
    const ids = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const branch = newBranch();
      assert.match(branch, /^z9hG4bK[A-Za-z0-9_-]{16}$/);
      ids.add(branch);
      ids.add(newTag());
    }
    assert.equal(ids.size, 4000);
    assert.match(newCallId('192.0.2.1'), /^[A-Za-z0-9_-]{24}@192\.0\.2\.1$/);
  });
});
