import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startTestServer, type TestServer } from '../support/test-server.ts';
import { runCli, serverEnv, tempConfigDir } from './run-cli.ts';

let server: TestServer;
let dir: string;
const cli = (args: string[]) => runCli(args, { env: serverEnv(server, dir) });

before(async () => {
  server = await startTestServer();
  dir = tempConfigDir();
  await server.request('PUT', '/v1/campaigns/bulk', { body: { name: 'Bulk' } });
});
after(() => server.close());

describe('pconn contacts import', () => {
  test('10 000 CSV contacts into a campaign, with progress (rows/s, ETA)', async () => {
    const rows = ['externalId,name,mobile,work'];
    for (let i = 0; i < 10_000; i++) {
      rows.push(`crm-${i},Contact ${i},+121255501${String(i % 100).padStart(2, '0')},`);
    }
    const file = join(dir, 'contacts.csv');
    writeFileSync(file, `${rows.join('\n')}\n`);
    const started = Date.now();
    const result = await cli(['contacts', 'import', file, '--campaign', 'bulk', '--progress', '--json']);
    const ms = Date.now() - started;
    assert.equal(result.code, 0, result.stderr);
    const summary = JSON.parse(result.stdout);
    assert.equal(summary.rows, 10_000);
    assert.equal(summary.created, 10_000);
    assert.equal(summary.addedToCampaign, 10_000);
    assert.match(result.stderr, /10001 rows {2}\d+ rows\/s {2}100% {2}ETA 0\.0 s/);
    assert.ok(ms < 60_000, `import took ${ms} ms`);
    const one = await server.request<{ data: Array<{ name: string }> }>(
      'GET',
      '/v1/contacts?externalId=crm-9999',
    );
    assert.equal(one.body.data[0]?.name, 'Contact 9999');
  });

  test('NDJSON re-import updates; a bad file is rejected with every bad line, pointer and hint', async () => {
    const ndjson = join(dir, 'contacts.ndjson');
    writeFileSync(
      ndjson,
      `${JSON.stringify({ externalId: 'crm-1', name: 'Renamed', phoneNumbers: [{ phoneType: 'mobile', number: '+12125550101' }] })}\n`,
    );
    const ok = await cli(['contacts', 'import', ndjson]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /imported 1 rows .*0 created, 1 updated/);

    const bad = join(dir, 'bad.csv');
    writeFileSync(
      bad,
      'externalId,name,mobile,fax\ncrm-a,A,+12125550100,\ncrm-b,B,2125550100,\n,C,+12125550100,\n',
    );
    const rejected = await cli(['contacts', 'import', bad, '--campaign', 'bulk']);
    assert.equal(rejected.code, 1);
    assert.match(rejected.stderr, /error: .*\(import_rejected, HTTP 422\)/);
    assert.match(rejected.stderr, /line \d+ /);
    assert.match(rejected.stderr, /hint: /);
    assert.doesNotMatch(rejected.stderr, /\n\s+at /);

    const missing = await cli(['contacts', 'import', join(dir, 'nope.csv')]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /cannot read .*nope\.csv: ENOENT/);
  });
});
