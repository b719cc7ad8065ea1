import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startTestServer, type TestServer } from '../support/test-server.ts';
import { loginArgs, runCli, tempConfigDir } from './run-cli.ts';

let server: TestServer;
let dir: string;
/** Only the config dir: after `login` every command runs on the saved profile, as a user's would. */
const cli = (args: string[]) => runCli(args, { env: { PCONN_CONFIG_DIR: dir } });

before(async () => {
  server = await startTestServer({ env: { PCONN_SANDBOX_TIME_SCALE: '0.01' } });
  dir = tempConfigDir();
});
after(() => server.close());

describe('a user journey with the CLI', () => {
  test('login → apply a config → import 10k contacts → call --watch until completed → explain', async () => {
    const login = await cli(loginArgs(server));
    assert.equal(login.code, 0, login.stderr);

    const config = join(dir, 'pconn.yaml');
    writeFileSync(
      config,
      [
        'callerIds:',
        '  "+12125550100": { verified: true, label: Main }',
        'users:',
        '  agent-1: { name: Agent One, device: { type: sip, uri: "sip:agent1@sandbox.invalid" } }',
        'campaigns:',
        '  journey:',
        '    name: Journey',
        '    callerId: "+12125550100"',
        '    agentIds: [agent-1]',
        '    timezone: UTC',
        '    callingWindow: { start: "00:00", end: "00:00" }',
        '',
      ].join('\n'),
    );
    const apply = await cli(['apply', '-f', config]);
    assert.equal(apply.code, 0, apply.stderr);
    assert.match(apply.stdout, /Plan: 3 to create, 0 to change, 0 to delete\./);
    assert.match((await cli(['plan', '-f', config])).stdout, /No changes/);
    assert.equal((await cli(['campaigns', 'start', 'journey'])).code, 0);

    const rows = ['externalId,name,mobile'];
    for (let i = 0; i < 10_000; i++)
      rows.push(`j-${i},Contact ${i},+121255501${String(i % 100).padStart(2, '0')}`);
    writeFileSync(join(dir, 'contacts.csv'), `${rows.join('\n')}\n`);
    const imported = await cli(['contacts', 'import', join(dir, 'contacts.csv'), '--campaign', 'journey']);
    assert.equal(imported.code, 0, imported.stderr);
    assert.match(imported.stdout, /imported 10000 rows .*10000 created, 0 updated, 10000 added to journey/);

    // The CRM id is enough: --contact looks the contact up by externalId.
    const call = await cli([
      'call',
      '--campaign',
      'journey',
      '--contact',
      'j-100',
      '--phone-type',
      'mobile',
      '--watch',
    ]);
    assert.equal(call.code, 0, call.stderr);
    const statuses = call.stdout
      .trim()
      .split('\n')
      .map((line) => line.split(/\s+/)[2]);
    assert.equal(statuses[0], 'queued');
    assert.equal(statuses.at(-1), 'completed');

    const unknown = await cli(['call', '--campaign', 'journey', '--contact', 'nobody']);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /--contact 'nobody' is neither a contact id nor a contact's externalId/);

    const refused = await cli(['call', '--campaign', 'journey', '--contact', 'j-7', '--phone-type', 'work']);
    assert.equal(refused.code, 1);
    const requestId = /pconn explain (\S+)\)/.exec(refused.stderr)?.[1];
    assert.ok(requestId, refused.stderr);
    const explained = await cli(['explain', requestId]);
    assert.equal(explained.code, 0, explained.stderr);
    assert.match(explained.stdout, /answered HTTP 422 phone_type_not_on_contact/);
    assert.match(explained.stdout, /- \/phoneType: /);
  });
});
