import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { loadConfig } from '../../src/config.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';
import { parseResponses, RawConnection } from './raw-http.ts';

type Problem = {
  code: string;
  maxBytes: number;
  setting: string;
  errors: Array<{ pointer: string; code: string; hint: string }>;
};

const LIMIT = 2000;
let server: TestServer;
before(async () => {
  server = await startTestServer({ env: { PCONN_IMPORT_MAX_BYTES: String(LIMIT) } });
});
after(() => server.close());

function csv(rows: number): string {
  let text = 'externalId,name,mobile\n';
  for (let i = 0; i < rows; i++) text += `big-${i},Big ${i},+1415${String(4000000 + i)}\n`;
  return text;
}

/** Sends a whole request on a raw socket and returns the first response. */
async function send(head: string, body: string) {
  const connection = new RawConnection(server.url);
  await connection.write(
    `POST /v1/contacts/import HTTP/1.1\r\nhost: pconn.test\r\nauthorization: Bearer ${await server.adminToken()}\r\ncontent-type: text/csv\r\n${head}\r\n${body}`,
  );
  await connection.until((text) => {
    const [response] = parseResponses(Buffer.from(text, 'latin1'));
    return (
      response !== undefined && Buffer.byteLength(response.body) >= Number(response.headers['content-length'])
    );
  });
  connection.socket.destroy();
  const [response] = parseResponses(connection.received);
  assert.ok(response, 'a response arrived');
  return { status: response.status, body: JSON.parse(response.body) as Problem };
}

function assertTooLarge(response: { status: number; body: Problem }) {
  assert.equal(response.status, 413, JSON.stringify(response.body));
  assert.equal(response.body.code, 'payload_too_large');
  assert.equal(response.body.maxBytes, LIMIT);
  assert.equal(response.body.setting, 'PCONN_IMPORT_MAX_BYTES');
  assert.match(response.body.errors[0]?.hint ?? '', /PCONN_IMPORT_MAX_BYTES/);
}

test('an import body over PCONN_IMPORT_MAX_BYTES is 413: refused up front by Content-Length…', async () => {
  const body = csv(100);
  assert.ok(Buffer.byteLength(body) > LIMIT, 'the body is over the limit');
  assertTooLarge(await send(`content-length: ${Buffer.byteLength(body)}\r\n`, body));
});

test('…or at the byte that crosses it when chunked; nothing is imported or left staged', async () => {
  const body = csv(100);
  const chunked = `${Buffer.byteLength(body).toString(16)}\r\n${body}\r\n0\r\n\r\n`;
  assertTooLarge(await send('transfer-encoding: chunked\r\n', chunked));
  const contacts = await server.request<{ data: unknown[] }>('GET', '/v1/contacts?externalId=big-1');
  assert.deepEqual(contacts.body.data, []);
  const staged = await server.store.db.selectFrom('contact_import_rows').select('line').execute();
  assert.deepEqual(staged, []);
  const small = await server.request('POST', '/v1/contacts/import', {
    rawBody: csv(5),
    headers: { 'content-type': 'text/csv' },
  });
  assert.equal(small.status, 200, `a body under the limit still imports: ${small.text}`);
});

test('the DNC import has the same limit, and the default is 100 MiB', async () => {
  const body = `number\n${'+14155550100\n'.repeat(200)}`;
  const res = await fetch(`${server.url}/v1/dnc/import`, {
    method: 'POST',
    headers: { authorization: `Bearer ${await server.adminToken()}`, 'content-type': 'text/csv' },
    body,
  }).catch((error: unknown) => error as Error);
  assert.ok(!(res instanceof Error), `the 413 reached the client: ${String(res)}`);
  assert.equal(res.status, 413);
  assert.equal(((await res.json()) as Problem).setting, 'PCONN_IMPORT_MAX_BYTES');
  assert.equal(loadConfig({}).importMaxBytes, 100 * 1024 * 1024);
});
