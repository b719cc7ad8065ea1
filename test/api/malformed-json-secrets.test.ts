// A malformed JSON body must not echo its text (where the password is) in the problem, and its
// audit entry keeps the text with the secrets masked; passwd, pwd and pass are secret names too.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { findJsonSyntaxError } from '../../src/api/json-syntax-error.ts';
import { maskSecretsInText } from '../../src/api/masked-json-text.ts';
import { isSecretName } from '../../src/contract/secret-fields.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';

let server: TestServer;
before(async () => {
  server = await startTestServer({ env: { PCONN_DIALER: 'off' } });
});
after(() => server.close());

async function auditFor(clientRequestId: string): Promise<Record<string, unknown>> {
  const res = await server.request<{ data: Array<Record<string, unknown>> }>(
    'GET',
    `/v1/audit-events?clientRequestId=${clientRequestId}`,
  );
  assert.equal(res.status, 200, res.text);
  const entry = res.body.data[0];
  assert.ok(entry, `no audit entry for ${clientRequestId}`);
  return entry;
}

const MALFORMED: Array<{ name: string; body: string; secret: string; line: number; column: number }> = [
  {
    name: 'an unquoted password',
    body: '{"uri":"sip:a.example","password": hunter2-unquoted}',
    secret: 'hunter2-unquoted',
    line: 1,
    column: 36,
  },
  {
    name: 'a passwd before a dangling member',
    body: '{"passwd":"s3cret-passwd",\n "x":}',
    secret: 's3cret-passwd',
    line: 2,
    column: 6,
  },
  {
    name: 'an unterminated pwd',
    body: '{"uri":"sip:a.example",\n"pwd":"s3cret-unterminated',
    secret: 's3cret-unterminated',
    line: 2,
    column: 7,
  },
  {
    name: 'a form-encoded pass',
    body: 'pass=s3cret-form&uri=sip:a',
    secret: 's3cret-form',
    line: 1,
    column: 1,
  },
];

describe('malformed JSON with secrets', () => {
  for (const { name, body, secret, line, column } of MALFORMED) {
    test(`${name}: the problem names line and column, echoes nothing; the audit masks it`, async () => {
      const requestId = `malformed-${line}-${column}`;
      const res = await server.request('PUT', '/v1/trunks/malformed', {
        rawBody: body,
        headers: { 'content-type': 'application/json', 'x-request-id': requestId },
      });
      assert.equal(res.status, 400, res.text);
      assert.equal((res.body as { code?: string }).code, 'invalid_json');
      assert.ok(!res.text.includes(secret), `the problem echoes the secret: ${res.text}`);
      const problem = res.body as { line?: number; column?: number; position?: number; detail: string };
      assert.deepEqual([problem.line, problem.column], [line, column], res.text);
      assert.match(problem.detail, new RegExp(`line ${line}, column ${column}`));
      const entry = await auditFor(requestId);
      const stored = JSON.stringify(entry);
      assert.ok(!stored.includes(secret), `the audit entry keeps the secret: ${stored}`);
      assert.match(JSON.stringify(entry.body), /\[redacted\]/, stored);
    });
  }

  test('a parsed body masks passwd, pwd, pass and apiKey in the audit entry', async () => {
    const res = await server.request('POST', '/v1/campaigns', {
      body: {
        name: 'x',
        passwd: 'secret-1',
        pwd: 'secret-2',
        pass: 'secret-3',
        apiKey: 'secret-4',
        api_key: 'secret-5',
      },
      headers: { 'x-request-id': 'parsed-secret-names' },
    });
    assert.equal(res.status, 400, res.text);
    const entry = await auditFor('parsed-secret-names');
    assert.deepEqual(entry.body, {
      name: 'x',
      passwd: '[redacted]',
      pwd: '[redacted]',
      pass: '[redacted]',
      apiKey: '[redacted]',
      api_key: '[redacted]',
    });
  });
});

describe('the shared secret-name list', () => {
  test('names secrets in every spelling, and leaves look-alikes visible', () => {
    for (const name of [
      'password',
      'passwd',
      'pwd',
      'pass',
      'userPass',
      'sip_pwd',
      'secret',
      'clientSecret',
      'client_secret',
      'token',
      'accessToken',
      'apiKey',
      'api_key',
      'x-api-key',
      'authorization',
      'Authorization',
      'credentials',
      'privateKey',
      'passphrase',
    ])
      assert.ok(isSecretName(name), `${name} is a secret name`);
    for (const name of ['name', 'passenger', 'compass', 'bypassRules', 'uri', 'keyword', 'externalId'])
      assert.ok(!isSecretName(name), `${name} is not a secret name`);
  });

  test('masking reads broken text leniently', () => {
    assert.equal(maskSecretsInText('{"password": hunter2}'), '{"password": [redacted]}');
    assert.equal(maskSecretsInText('{"pwd":"abc'), '{"pwd":"[redacted]');
    assert.equal(maskSecretsInText('pass=abc&user=x'), 'pass=[redacted]&user=x');
    assert.equal(maskSecretsInText('{"passwd" "s3", "a":1'), '{"passwd" "[redacted]", "a":1');
    assert.equal(maskSecretsInText('{"h":"Authorization: Bearer a.b"}'), '{"h":"Authorization: [redacted]"}');
    assert.equal(maskSecretsInText('{"name":'), '{"name":');
  });

  test('the syntax locator agrees with JSON.parse', () => {
    for (const text of ['{}', '[1,-2.5e3,"a\\u00e9",true,false,null,{"a":[]}]', ' "x" ', '0'])
      assert.equal(findJsonSyntaxError(text), undefined, text);
    for (const text of [
      '{',
      '{"a":1,}',
      '[1 2]',
      '{"a" 1}',
      '01',
      '"\u0001"',
      '{"a":1}}',
      'tru',
      '-',
      '{"a":"\\x"}',
    ])
      assert.ok(findJsonSyntaxError(text), `${JSON.stringify(text)} is reported`);
  });
});
