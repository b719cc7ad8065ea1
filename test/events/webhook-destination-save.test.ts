import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestServer, type TestServer } from '../support/test-server.ts';

type Json = Record<string, unknown>;

// Every spelling here reaches a loopback, link-local or site-local host. The WHATWG parser turns
// the IPv4 ones into 127.0.0.1; the IPv6 ones carry 127.0.0.1 in a mapped, compatible, NAT64 or
// 6to4 form, or lie in a non-global block that a hand-written prefix list used to miss.
const REFUSED: ReadonlyArray<readonly [host: string, because: RegExp]> = [
  ['127.1', /127\.0\.0\.1 is in 127\.0\.0\.0\/8 \(Loopback/],
  ['0x7f000001', /127\.0\.0\.1 is in 127\.0\.0\.0\/8/],
  ['2130706433', /127\.0\.0\.1 is in 127\.0\.0\.0\/8/],
  ['0177.0.0.1', /127\.0\.0\.1 is in 127\.0\.0\.0\/8/],
  ['[::ffff:127.0.0.1]', /embeds 127\.0\.0\.1, which is in 127\.0\.0\.0\/8/],
  ['[::7f00:1]', /::7f00:1 embeds 127\.0\.0\.1/],
  ['[64:ff9b::7f00:1]', /64:ff9b::7f00:1 embeds 127\.0\.0\.1/],
  ['[2002:7f00:1::1]', /embeds 127\.0\.0\.1/],
  ['[fe90::1]', /fe90::1 is in fe80::\/10 \(Link-Local/],
  ['[fec0::1]', /fec0::1 is in fec0::\/10 \(Site-Local/],
  ['[fd12::1]', /fc00::\/7 \(Unique-Local/],
  ['169.254.169.254', /169\.254\.0\.0\/16/],
  ['100.64.0.1', /100\.64\.0\.0\/10/],
  ['198.18.0.1', /198\.18\.0\.0\/15/],
  ['[2001:db8::1]', /2001:db8::\/32 \(Documentation/],
  ['localhost.', /localhost is a local-only name/],
  ['LOCALHOST', /localhost is a local-only name/],
  ['hooks.localhost', /hooks\.localhost is a local-only name/],
  ['printer.home.arpa', /home\.arpa/],
];

let strict: TestServer;

before(async () => {
  strict = await startTestServer({ env: { PCONN_WEBHOOK_ALLOW_PRIVATE: '0' } });
});
after(() => strict.close());

describe('webhook endpoint URLs are checked on save', () => {
  for (const [host, because] of REFUSED) {
    test(`http://${host}:8080/hook is refused with a problem at /url`, async () => {
      const id = `h-${host.replace(/[^a-z0-9]/gi, '').toLowerCase() || 'x'}`;
      const res = await strict.request<Json>('PUT', `/v1/webhooks/${id}`, {
        body: { url: `http://${host}:8080/hook`, events: ['call.*'] },
      });
      assert.equal(res.status, 400, res.text);
      assert.equal(res.body.code, 'invalid_request');
      const [error] = res.body.errors as Json[];
      assert.equal(error?.pointer, '/url');
      assert.match(String(error?.detail), because);
      assert.match(String(error?.hint), /PCONN_WEBHOOK_ALLOW_PRIVATE=1/);
      assert.equal((await strict.request('GET', `/v1/webhooks/${id}`)).status, 404, 'nothing stored');
    });
  }

  test('public addresses and names are accepted (names are resolved at delivery, not on save)', async () => {
    for (const [id, url] of [
      ['pub-v4', 'https://8.8.8.8/hook'],
      ['pub-v6', 'https://[2606:4700:4700::1111]/hook'],
      ['pub-nat64', 'https://[64:ff9b::808:808]/hook'],
      ['pub-name', 'https://hooks.example.com/pconn'],
    ] as const) {
      const res = await strict.request<Json>('PUT', `/v1/webhooks/${id}`, { body: { url } });
      assert.equal(res.status, 201, `${url}: ${res.text}`);
    }
  });
});
