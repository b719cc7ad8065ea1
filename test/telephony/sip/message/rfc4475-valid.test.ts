import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type ParseResult, parseMessage } from '../../../../src/telephony/sip/message/parse-message.ts';
import type {
  SipMessage,
  SipRequest,
  SipResponse,
} from '../../../../src/telephony/sip/message/sip-message.ts';
import { parseUri, type SipUri, type Uri } from '../../../../src/telephony/sip/message/sip-uri.ts';
import {
  getCallId,
  getContacts,
  getContentLength,
  getCSeq,
  getFrom,
  getMaxForwards,
  getRoutes,
  getTo,
  getVias,
} from '../../../../src/telephony/sip/message/typed-headers.ts';
import { VALID } from '../fixtures/rfc4475.ts';
import { SEMANTIC } from '../fixtures/rfc4475-invalid.ts';

function ok(result: ParseResult): SipMessage {
  assert.ok(result.ok, result.ok ? '' : `rejected: ${result.reason}`);
  return result.message;
}

function request(data: Buffer): SipRequest {
  const message = ok(parseMessage(data));
  assert.equal(message.kind, 'request');
  return message as SipRequest;
}

function response(data: Buffer): SipResponse {
  const message = ok(parseMessage(data));
  assert.equal(message.kind, 'response');
  return message as SipResponse;
}

function sip(uri: Uri | undefined): SipUri {
  assert.equal(uri?.kind, 'sip');
  return uri as SipUri;
}

describe('RFC 4475 §3.1.1 valid messages', () => {
  test('3.1.1.1 wsinv: folding, LWS everywhere, compact forms, unknown headers', () => {
    const m = request(VALID.wsinv);
    assert.equal(m.method, 'INVITE');
    const ruri = sip(parseUri(m.uri));
    assert.equal(ruri.user, 'vivekg');
    assert.deepEqual([...ruri.params], [['unknownparam', null]]);
    const h = m.headers;
    assert.equal(getTo(h)?.params.get('tag'), '1918181833n');
    assert.equal(sip(getTo(h)?.uri).host, 'chair-dnrc.example.com');
    assert.equal(getFrom(h)?.displayName, 'J Rosenberg \\"');
    assert.equal(getFrom(h)?.params.get('tag'), '98asjd8');
    assert.equal(getMaxForwards(h), 68);
    assert.deepEqual(getCSeq(h), { seq: 9, method: 'INVITE' });
    assert.equal(getCallId(h), 'wsinv.ndaksdj@192.0.2.1');
    const vias = getVias(h)!;
    assert.deepEqual(
      vias.map((v) => [v.transport, v.host, v.params.get('branch')]),
      [
        ['UDP', '192.0.2.2', '390skdjuw'],
        ['TCP', 'spindle.example.com', 'z9hG4bK9ikj8'],
        ['UDP', '192.168.255.111', 'z9hG4bK30239'],
      ],
    );
    assert.equal(vias[0]!.params.get('rport'), null);
    assert.equal(h.get('subject'), '');
    assert.equal(h.get('newfangledheader'), 'newfangled value continued newfangled value');
    assert.deepEqual(h.list('UnknownHeaderWithUnusualValue'), [';;,,;;,;']);
    const contacts = getContacts(h);
    assert.ok(Array.isArray(contacts));
    assert.equal(contacts[0]?.displayName, 'Quoted string ""');
    assert.deepEqual(
      [...(contacts[0]?.params ?? [])],
      [
        ['newparam', 'newvalue'],
        ['secondparam', null],
        ['q', '0.33'],
      ],
    );
    const route = sip(getRoutes(h)?.[0]?.uri);
    assert.deepEqual(
      [...route.params],
      [
        ['lr', null],
        ['unknownwith', 'value'],
        ['unknown-no-value', null],
      ],
    );
    assert.equal(m.body.length, 150);
  });

  test('3.1.1.2 intmeth: the full range of token, word and quoted-pair characters', () => {
    const m = request(VALID.intmeth);
    assert.equal(m.method, "!interesting-Method0123456789_*+`.%indeed'~");
    const ruri = sip(parseUri(m.uri));
    assert.equal(ruri.user, "1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*");
    assert.equal(ruri.password, "&it+has=1,weird!*pas$wo~d_too.(doesn't-it)");
    assert.equal(ruri.host, 'example.com');
    const h = m.headers;
    assert.equal(getVias(h)?.[0]?.params.get('branch'), "z9hG4bK-.!%66*_+`'~");
    assert.equal(getTo(h)?.displayName, 'BEL:\x07 NUL:\x00 DEL:\x7F');
    const from = getFrom(h)!;
    assert.equal(from.displayName, "token1~` token2'+_ token3*%!.-");
    assert.equal(from.params.get("fromparam''~+*_!.-%"), 'работающий');
    assert.equal(from.params.get('tag'), "_token~1'+`*%!-.");
    assert.equal(getCallId(h), 'intmeth.word%ZK-!.*_+\'@word`~)(><:\\/"][?}{');
    assert.equal(getCSeq(h)?.method, m.method);
    assert.equal(h.get("extensionHeader-!.%*+_`'~"), '\uFEFF大停電');
  });

  test('3.1.1.3 esc01: escapes in URIs compare unescaped', () => {
    const m = request(VALID.esc01);
    const ruri = sip(parseUri(m.uri));
    assert.equal(ruri.user, 'sips:user@example.com');
    assert.equal(ruri.host, 'example.net');
    assert.equal(sip(getTo(m.headers)?.uri).user, 'user');
    assert.equal(sip(getFrom(m.headers)?.uri).user, 'I have spaces');
    const contacts = getContacts(m.headers);
    assert.ok(Array.isArray(contacts));
    const contact = sip(contacts[0]?.uri);
    assert.equal(contact.user, 'caller');
    assert.deepEqual(
      [...contact.params],
      [
        ['lr', null],
        ['name', 'value%41'],
      ],
    );
    assert.equal(getCallId(m.headers), 'esc01.239409asdfakjkn23onasd0-3234');
    assert.equal(m.headers.get('content-type'), 'application/sdp');
  });

  test('3.1.1.4 escnull: escaped NULs in URIs', () => {
    const m = request(VALID.escnull);
    assert.equal(sip(getTo(m.headers)?.uri).user, 'null-\0-null');
    const contacts = getContacts(m.headers);
    assert.ok(Array.isArray(contacts));
    assert.deepEqual(
      contacts.map((c) => sip(c.uri).user),
      ['\0', '\0\0'],
    );
    assert.equal(getContentLength(m.headers), 0);
  });

  test('3.1.1.5 esc02: % is no escape in methods, display names, tokens or header names', () => {
    const m = request(VALID.esc02);
    assert.equal(m.method, 'RE%47IST%45R');
    assert.equal(getTo(m.headers)?.displayName, '%Z%45');
    assert.equal(getVias(m.headers)?.[0]?.params.get('branch'), 'z9hG4bK209%fzsnel234');
    const contacts = getContacts(m.headers);
    assert.ok(Array.isArray(contacts));
    assert.deepEqual(
      contacts.map((c) => sip(c.uri).user),
      ['alias1', 'alias3'],
    );
    assert.equal(m.headers.get('C%6Fntact'), '<sip:alias2@host2.example.com>');
  });

  test('3.1.1.6 lwsdisp: no LWS between display name and <', () => {
    const m = request(VALID.lwsdisp);
    assert.equal(getFrom(m.headers)?.displayName, 'caller');
    assert.equal(getFrom(m.headers)?.params.get('tag'), '323');
  });

  test('3.1.1.7 longreq: long values and 34 Vias under every spelling of Via', () => {
    const m = request(VALID.longreq);
    const vias = getVias(m.headers)!;
    assert.equal(vias.length, 34);
    assert.equal(vias[0]?.host, 'sip33.example.com');
    assert.equal(vias[33]?.params.get('received'), '192.0.2.5');
    assert.ok(vias[33]?.params.get('branch')?.endsWith('longbranchvalue'));
    const to = getTo(m.headers)!;
    assert.match(to.displayName ?? '', /^I have a user name of (extreme){10} proportion$/);
    assert.equal(sip(to.uri).port, 6000);
    assert.equal(getFrom(m.headers)?.params.get('tag')?.length, 155);
    assert.equal(m.body.length, 150);
  });

  test('3.1.1.8 dblreq: bytes after Content-Length in a datagram are discarded', () => {
    const m = request(VALID.dblreq);
    assert.equal(m.method, 'REGISTER');
    assert.equal(m.body.length, 0);
    assert.equal(getCallId(m.headers), 'dblreq.0ha0isndaksdj99sdfafnl3lk233412');
  });

  test('3.1.1.9 semiuri: ; in the user part, multi-line Accept list', () => {
    const m = request(VALID.semiuri);
    const ruri = sip(parseUri(m.uri));
    assert.equal(ruri.user, 'user;par=u@example.net');
    assert.equal(ruri.host, 'example.com');
    assert.equal(ruri.params.size, 0);
    assert.deepEqual(m.headers.list('accept'), [
      'application/sdp',
      'application/pkcs7-mime',
      'multipart/mixed',
      'multipart/signed',
      'message/sip',
      'message/sipfrag',
    ]);
  });

  test('3.1.1.10 transports: unknown transports in Via', () => {
    const m = request(VALID.transports);
    assert.deepEqual(
      getVias(m.headers)?.map((v) => v.transport),
      ['UDP', 'SCTP', 'TLS', 'UNKNOWN', 'TCP'],
    );
    assert.equal(getCallId(m.headers), 'transports.kijh4akdnaqjkwendsasfdj');
  });

  test('3.1.1.11 mpart01: a binary multipart body is kept byte for byte', () => {
    const m = request(VALID.mpart01);
    assert.equal(m.body.length, 553);
    const raw = VALID.mpart01;
    assert.deepEqual(Buffer.from(m.body), raw.subarray(raw.length - 553));
    assert.equal(m.headers.get('content-type'), 'multipart/mixed;boundary=7a9cbec02ceef655');
  });

  test('3.1.1.12 unreason: UTF-8 reason phrase', () => {
    const m = response(VALID.unreason);
    assert.equal(m.status, 200);
    assert.equal(m.reason, '= 2**3 * 5**2 но сто девяносто девять - простое');
    assert.equal(m.body.length, 154);
  });

  test('3.1.1.13 noreason: empty reason phrase', () => {
    const m = response(VALID.noreason);
    assert.equal(m.status, 100);
    assert.equal(m.reason, '');
  });
});

describe('RFC 4475 §3.2-3.3: transaction and application semantics are not parse errors', () => {
  for (const [name, data] of Object.entries(SEMANTIC)) {
    test(`${name} parses`, () => {
      ok(parseMessage(data));
    });
  }

  test('unkscm, novelsc, unksm2: unknown URI schemes stay opaque', () => {
    const unkscm = request(SEMANTIC.unkscm);
    assert.deepEqual(parseUri(unkscm.uri), {
      kind: 'other',
      scheme: 'nobodyknowsthisscheme',
      value: 'totallyopaquecontent',
    });
    const unksm2 = request(SEMANTIC.unksm2);
    assert.equal(getTo(unksm2.headers)?.uri.kind, 'other');
    assert.equal(getFrom(unksm2.headers)?.uri.kind, 'other');
  });

  test('cparam01: a parameter after an addr-spec belongs to the header', () => {
    const m = request(SEMANTIC.cparam01);
    const contacts = getContacts(m.headers);
    assert.ok(Array.isArray(contacts));
    assert.equal(contacts[0]?.params.has('unknownparam'), true);
    assert.equal(sip(contacts[0]?.uri).params.size, 0);
  });

  test('regescrt: embedded headers are fine in a bracketed Contact', () => {
    const m = request(SEMANTIC.regescrt);
    const contacts = getContacts(m.headers);
    assert.ok(Array.isArray(contacts));
    assert.deepEqual(sip(contacts[0]?.uri).headers, [['Route', '<sip:sip.example.com>']]);
  });

  test('zeromf: Max-Forwards 0 is valid syntax', () => {
    assert.equal(getMaxForwards(request(SEMANTIC.zeromf).headers), 0);
  });
});
