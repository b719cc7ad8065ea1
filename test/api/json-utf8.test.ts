import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startTestServer, type TestServer } from '../support/test-server.ts';

// Issue 14: bytes that are not UTF-8 in a JSON body were replaced by U+FFFD and the request
// accepted, storing text the client never sent. They are refused with the byte offset.

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(() => server.close());

/** A campaign body whose name holds `bad` between two ASCII letters. */
function bodyWith(bad: number[]): { bytes: Buffer; offset: number } {
  const head = Buffer.from('{"name":"a');
  return { bytes: Buffer.concat([head, Buffer.from(bad), Buffer.from('b"}')]), offset: head.length };
}

for (const [what, bad] of [
  ['a byte that never starts a sequence (0xFF)', [0xff]],
  ['a lone continuation byte', [0x80]],
  ['an overlong encoding of "/"', [0xc0, 0xaf]],
  ['a UTF-16 surrogate (U+D800)', [0xed, 0xa0, 0x80]],
  ['a code point past U+10FFFF', [0xf4, 0x90, 0x80, 0x80]],
  ['a sequence cut short', [0xe2, 0x82]],
] as const) {
  test(`${what} is 400 invalid_json naming the byte offset, and nothing is stored`, async () => {
    const { bytes, offset } = bodyWith([...bad]);
    const response = await server.request('POST', '/v1/campaigns', {
      rawBody: bytes,
      headers: { 'content-type': 'application/json' },
    });
    const problem = response.body as Record<string, unknown>;
    assert.equal(response.status, 400, response.text);
    assert.match(response.headers.get('content-type') ?? '', /^application\/problem\+json/);
    assert.equal(problem.code, 'invalid_json');
    assert.equal(problem.byteOffset, offset);
    assert.match(String(problem.detail), new RegExp(`UTF-8.*byte offset ${offset}\\b`));
    const list = await server.request<{ data: Array<{ name: string }> }>('GET', '/v1/campaigns?limit=200');
    assert.ok(!list.body.data.some((campaign) => campaign.name.startsWith('a')), 'no campaign was created');
  });
}

test('a sequence cut short at the very end of the body is refused at its offset', async () => {
  const bytes = Buffer.from([...Buffer.from('{"name":"x"}'), 0xf0, 0x9f]);
  const response = await server.request('POST', '/v1/campaigns', {
    rawBody: bytes,
    headers: { 'content-type': 'application/json' },
  });
  assert.equal(response.status, 400, response.text);
  assert.equal((response.body as { byteOffset?: number }).byteOffset, 12);
});

test('valid multi-byte UTF-8 is accepted and stored exactly', async () => {
  const name = 'Zoë 日本 📞';
  const response = await server.request<{ id: string; name: string }>('POST', '/v1/campaigns', {
    rawBody: Buffer.from(JSON.stringify({ name }), 'utf8'),
    headers: { 'content-type': 'application/json' },
  });
  assert.equal(response.status, 201, response.text);
  assert.equal(response.body.name, name);
  const read = await server.request<{ name: string }>('GET', `/v1/campaigns/${response.body.id}`);
  assert.equal(read.body.name, name);
});
