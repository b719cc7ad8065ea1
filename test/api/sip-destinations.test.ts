import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { parseNetworkAllowList } from '../../src/domain/sip-destination.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';

type Problem = {
  status: number;
  code: string;
  errors?: Array<{ pointer: string; detail: string; hint?: string }>;
};

describe('trunk and SIP device URIs may not point at internal addresses', () => {
  let server: TestServer;
  before(async () => {
    // The test server allows loopback for its SIP peers; this one has the production default.
    server = await startTestServer({ env: { PCONN_SIP_ALLOW_DESTINATIONS: '' } });
  });
  after(() => server.close());

  const putTrunk = (id: string, uri: string) =>
    server.request<Problem>('PUT', `/v1/trunks/${id}`, { body: { uri } });
  const putAgent = (id: string, uri: string) =>
    server.request<Problem>('PUT', `/v1/users/${id}`, { body: { name: id, device: { type: 'sip', uri } } });

  test('metadata, link-local, loopback (literal or name) and mapped forms are refused with a field error', async () => {
    for (const uri of [
      'sip:169.254.169.254:5060',
      'sip:pbx@169.254.169.254;transport=tcp',
      'sip:127.0.0.1:5060',
      'sips:[::1]:5061',
      'sip:[::ffff:169.254.169.254]',
      'sip:[fe80::1]',
      'sip:localhost:5060',
      'sip:0.0.0.0',
      'sip:224.0.0.1',
    ]) {
      const res = await putTrunk('bad', uri);
      assert.equal(res.status, 400, `${uri}: ${JSON.stringify(res.body)}`);
      assert.equal(res.body.code, 'invalid_request');
      const [error] = res.body.errors ?? [];
      assert.equal(error?.pointer, '/uri', uri);
      assert.match(error?.detail ?? '', /internal addresses/, uri);
      assert.match(error?.hint ?? '', /PCONN_SIP_ALLOW_DESTINATIONS/, uri);
    }
    const device = await putAgent('agent-bad', 'sip:agent@169.254.169.254');
    assert.equal(device.status, 400, JSON.stringify(device.body));
    assert.equal(device.body.errors?.[0]?.pointer, '/device/uri');
    assert.match(device.body.errors?.[0]?.detail ?? '', /169\.254\.0\.0\/16/);
    const missing = await server.request('GET', '/v1/trunks/bad');
    assert.equal(missing.status, 404, 'nothing was saved');
  });

  test('private networks (the PBX default), public addresses and names are accepted', async () => {
    for (const [id, uri] of [
      ['lan', 'sip:10.1.2.3:5060'],
      ['office', 'sip:192.168.1.20;transport=tcp'],
      ['ula', 'sip:[fd00::20]:5060'],
      ['carrier', 'sip:sip.carrier.example.com'],
      ['public', 'sip:8.8.8.8'],
    ]) {
      const res = await putTrunk(id as string, uri as string);
      assert.ok(
        res.status === 200 || res.status === 201,
        `${uri}: ${res.status} ${JSON.stringify(res.body)}`,
      );
    }
    const agent = await putAgent('agent-lan', 'sip:agent@192.168.1.30');
    assert.equal(agent.status, 201, JSON.stringify(agent.body));
  });
});

test('PCONN_SIP_ALLOW_DESTINATIONS replaces the allowed networks; a bad entry stops start-up', async () => {
  const server = await startTestServer({ env: { PCONN_SIP_ALLOW_DESTINATIONS: '127.0.0.0/8' } });
  try {
    const loopback = await server.request('PUT', '/v1/trunks/local', { body: { uri: 'sip:127.0.0.1:5070' } });
    assert.equal(loopback.status, 201, loopback.text);
    const lan = await server.request<Problem>('PUT', '/v1/trunks/lan', { body: { uri: 'sip:10.0.0.5' } });
    assert.equal(lan.status, 400, lan.text);
    assert.match(lan.body.errors?.[0]?.hint ?? '', /now: 127\.0\.0\.0\/8/);
  } finally {
    await server.close();
  }
  for (const bad of ['10.0.0.0/33', 'pbx.local', '10.0.0.0/8/1'])
    assert.ok('error' in parseNetworkAllowList(bad), `${bad} is refused`);
  const none = parseNetworkAllowList('none');
  assert.ok(!('error' in none) && none.cidrs.length === 0, 'none allows no special network');
});
