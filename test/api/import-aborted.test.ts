import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pino from 'pino';
import { startTestServer, type TestServer } from '../support/test-server.ts';
import { waitFor } from '../support/wait-for.ts';
import { RawConnection } from './raw-http.ts';

type Json = Record<string, unknown>;
const logs: Json[] = [];
let server: TestServer;
before(async () => {
  const logger = pino(
    { level: 'info' },
    { write: (line: string) => void logs.push(JSON.parse(line) as Json) },
  );
  server = await startTestServer({ logger });
});
after(() => server.close());

/** Opens a chunked upload to `path` on a raw socket (so the test can cut it off). */
async function startUpload(path: string): Promise<RawConnection> {
  const connection = new RawConnection(server.url);
  await connection.write(
    `POST ${path} HTTP/1.1\r\nhost: pconn.test\r\nauthorization: Bearer ${await server.adminToken()}\r\n` +
      'content-type: text/csv\r\ntransfer-encoding: chunked\r\n\r\n',
  );
  return connection;
}

function chunk(text: string): string {
  return `${Buffer.byteLength(text).toString(16)}\r\n${text}\r\n`;
}

const stagedRows = async () =>
  Number(
    (
      await server.store.db
        .selectFrom('contact_import_rows')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

const abortEntry = (path: string) =>
  server.store.db
    .selectFrom('audit_events')
    .select(['status', 'code', 'problem'])
    .where('path', '=', path)
    .where('code', '=', 'client_closed_request')
    .executeTakeFirst();

test('a contact upload cut off mid-stream: staged rows go at once, with a log line and an audit entry', async () => {
  const path = '/v1/contacts/import';
  const connection = await startUpload(path);
  let rows = 'externalId,name,mobile\n';
  for (let i = 0; i < 5000; i++) rows += `cut-${i},Cut ${i},+1415${String(3000000 + i)}\n`;
  await connection.write(chunk(rows));
  // The first batches reach the staging table while the upload is still open.
  await waitFor(async () => (await stagedRows()) >= 1000, {
    timeout: 20_000,
    what: 'rows staged',
    interval: 20,
  });
  connection.socket.destroy();

  const entry = await waitFor(() => abortEntry(path), {
    timeout: 20_000,
    what: 'the audit entry',
    interval: 20,
  });
  assert.equal(await stagedRows(), 0, 'no staged row is left behind');
  assert.equal(entry.status, 499);
  const problem = entry.problem as Json;
  assert.equal(problem.outcome, 'aborted_by_client', JSON.stringify(problem));
  // Rows still buffered when the client left are dropped unread.
  const [read, staged] = [Number(problem.rowsRead), Number(problem.rowsStaged)];
  assert.ok(staged >= 1000 && read >= staged && read <= 5000, `rows read/staged: ${JSON.stringify(problem)}`);
  assert.equal(problem.rowsDiscarded, problem.rowsStaged, JSON.stringify(problem));
  const line = logs.find((log) => String(log.msg).startsWith('import aborted by client'));
  assert.ok(line, 'one log line says the import was aborted');
  assert.equal(line.rowsDiscarded, problem.rowsDiscarded);
  const contacts = await server.request<{ data: unknown[] }>('GET', '/v1/contacts?externalId=cut-1');
  assert.deepEqual(contacts.body.data, [], 'nothing was imported');
});

test('a DNC upload cut off mid-stream ends its import at once and is audited', async () => {
  const path = '/v1/dnc/import';
  const connection = await startUpload(path);
  await connection.write(chunk('number,reason\n+14155550199,asked\n'));
  await connection.write('5\r\n+1415'); // half a chunk, then the client is gone
  connection.socket.destroy();
  const entry = await waitFor(() => abortEntry(path), {
    timeout: 20_000,
    what: 'the audit entry',
    interval: 20,
  });
  assert.equal((entry.problem as Json).outcome, 'aborted_by_client');
  const listed = await server.request<{ data: unknown[] }>('GET', '/v1/dnc');
  assert.deepEqual(listed.body.data, [], 'nothing was added');
});
