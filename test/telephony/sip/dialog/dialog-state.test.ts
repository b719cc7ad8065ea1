import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { routeRequest } from '../../../../src/telephony/sip/dialog/dialog-route.ts';
import { DialogState } from '../../../../src/telephony/sip/dialog/dialog-state.ts';
import { createRequest, createResponseMessage } from '../../../../src/telephony/sip/message/sip-message.ts';
import { getCSeq, getRoutes } from '../../../../src/telephony/sip/message/typed-headers.ts';

const invite = createRequest('INVITE', 'sip:bob@example.com', [
  ['Via', 'SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK1'],
  ['Max-Forwards', '70'],
  ['From', '"Alice" <sip:alice@example.com>;tag=alicetag'],
  ['To', '<sip:bob@example.com>'],
  ['Call-ID', 'call-1@10.0.0.1'],
  ['CSeq', '314 INVITE'],
  ['Contact', '<sip:alice@10.0.0.1:5060>'],
  ['Record-Route', '<sip:p1.example.com;lr>, <sip:p2.example.com;lr>'],
]);

const ok = createResponseMessage(200, 'OK', [
  ['Via', 'SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK1'],
  ['Record-Route', '<sip:p1.example.com;lr>'],
  ['Record-Route', '<sip:p2.example.com;lr>'],
  ['From', '"Alice" <sip:alice@example.com>;tag=alicetag'],
  ['To', '<sip:bob@example.com>;tag=bobtag'],
  ['Call-ID', 'call-1@10.0.0.1'],
  ['CSeq', '314 INVITE'],
  ['Contact', '<sip:bob@192.0.2.4:5070;transport=tcp>'],
]);

describe('DialogState (RFC 3261 §12)', () => {
  test('UAC: ids, route set reversed, remote target from Contact (§12.1.2)', () => {
    const state = DialogState.fromUac(invite, ok)!;
    assert.equal(state.id, 'call-1@10.0.0.1;alicetag;bobtag');
    assert.deepEqual(state.routeSet, ['<sip:p2.example.com;lr>', '<sip:p1.example.com;lr>']);
    assert.equal(state.remoteTarget, 'sip:bob@192.0.2.4:5070;transport=tcp');
    assert.equal(state.localSeq, 314);
    assert.equal(state.remoteSeq, undefined);
  });

  test('UAC: in-dialog BYE (§12.2.1.1): loose route, CSeq + 1, dialog From/To', () => {
    const state = DialogState.fromUac(invite, ok)!;
    const bye = state.buildRequest('BYE', { via: 'SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK2' });
    assert.equal(bye.uri, 'sip:bob@192.0.2.4:5070;transport=tcp');
    assert.deepEqual(
      getRoutes(bye.headers)?.map((r) => r.uri.kind === 'sip' && r.uri.host),
      ['p2.example.com', 'p1.example.com'],
    );
    assert.equal(getCSeq(bye.headers)?.seq, 315);
    assert.equal(bye.headers.get('to'), '<sip:bob@example.com>;tag=bobtag');
    assert.equal(bye.headers.get('from'), '"Alice" <sip:alice@example.com>;tag=alicetag');
    assert.equal(state.route().nextHop, 'sip:p2.example.com;lr');
  });

  test('UAS: route set in order, remote CSeq from the INVITE, local To gets our tag (§12.1.1)', () => {
    const state = DialogState.fromUas(invite, 'bobtag')!;
    assert.equal(state.id, 'call-1@10.0.0.1;bobtag;alicetag');
    assert.deepEqual(state.routeSet, ['<sip:p1.example.com;lr>', '<sip:p2.example.com;lr>']);
    assert.equal(state.remoteTarget, 'sip:alice@10.0.0.1:5060');
    assert.equal(state.remoteSeq, 314);
    assert.equal(state.localParty, '<sip:bob@example.com>;tag=bobtag');
  });

  test('remote CSeq: lower is out of order (§12.2.2); ACK/CANCEL are not checked', () => {
    const state = DialogState.fromUas(invite, 'bobtag')!;
    const inDialog = (method: string, seq: number) =>
      createRequest(method, 'sip:bob@192.0.2.4', [['CSeq', `${seq} ${method}`]]);
    assert.equal(state.acceptRemoteSeq(inDialog('BYE', 313)), false);
    assert.equal(state.acceptRemoteSeq(inDialog('ACK', 314)), true);
    assert.equal(state.acceptRemoteSeq(inDialog('INFO', 320)), true);
    assert.equal(state.remoteSeq, 320);
    assert.equal(state.acceptRemoteSeq(inDialog('BYE', 319)), false);
  });

  test('strict route (no lr): first route becomes the Request-URI, target the last Route', () => {
    const routed = routeRequest(
      ['<sip:old-proxy.example.com>', '<sip:p2.example.com;lr>'],
      'sip:bob@192.0.2.4',
    );
    assert.equal(routed.uri, 'sip:old-proxy.example.com');
    assert.deepEqual(routed.routes, ['<sip:p2.example.com;lr>', '<sip:bob@192.0.2.4>']);
    assert.equal(routed.nextHop, 'sip:old-proxy.example.com');
  });

  test('no route set: straight to the remote target', () => {
    assert.deepEqual(routeRequest([], 'sip:bob@192.0.2.4'), {
      uri: 'sip:bob@192.0.2.4',
      routes: [],
      nextHop: 'sip:bob@192.0.2.4',
    });
  });
});
