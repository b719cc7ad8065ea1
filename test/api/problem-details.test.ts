import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestServer, type TestServer } from '../support/test-server.ts';

type Problem = {
  type: string;
  title: string;
  status: number;
  code: string;
  detail: string;
  requestId: string;
  pointer?: string;
  errors?: Array<{ pointer: string; code: string; detail: string; hint?: string; line?: number }>;
  [key: string]: unknown;
};

let server: TestServer;
before(async () => {
  server = await startTestServer({ env: { PCONN_RATE_LIMIT_RPS: '1000', PCONN_RATE_LIMIT_BURST: '2000' } });
});
after(() => server.close());

function assertProblem(
  response: { status: number; headers: Headers; body: unknown },
  status: number,
  code: string,
): Problem {
  const problem = response.body as Problem;
  assert.equal(response.status, status, JSON.stringify(problem));
  assert.match(response.headers.get('content-type') ?? '', /^application\/problem\+json/);
  assert.equal(problem.code, code);
  assert.equal(problem.status, status);
  assert.equal(problem.type, `http://pconn.test/problems/${code}`);
  assert.equal(problem.requestId, response.headers.get('x-request-id'));
  assert.ok(problem.title.length > 0 && problem.detail.length > 0);
  assert.ok(!JSON.stringify(problem).includes('    at '), 'no stack trace');
  return problem;
}

function errorAt(problem: Problem, pointer: string) {
  const found = problem.errors?.find((e) => e.pointer === pointer);
  assert.ok(found, `no error at ${pointer}: ${JSON.stringify(problem.errors)}`);
  return found;
}

describe('media type and JSON syntax', () => {
  test('malformed JSON is 400 invalid_json naming the position', async () => {
    const res = await server.request('POST', '/v1/campaigns', {
      rawBody: '{"name": "x",',
      headers: { 'content-type': 'application/json' },
    });
    const problem = assertProblem(res, 400, 'invalid_json');
    assert.match(problem.detail, /JSON/);
  });
  test('a non-JSON media type is 415 unsupported_media_type', async () => {
    const res = await server.request('POST', '/v1/campaigns', {
      rawBody: 'name=x',
      headers: { 'content-type': 'text/plain' },
    });
    assertProblem(res, 415, 'unsupported_media_type');
  });
  test('a body over 1 MiB is 413 payload_too_large', async () => {
    const res = await server.request('POST', '/v1/campaigns', {
      body: { name: 'x', metadata: { blob: 'a'.repeat(1_100_000) } },
    });
    assertProblem(res, 413, 'payload_too_large');
  });
  test('a missing body on a create route is a schema error at the root', async () => {
    const res = await server.request('POST', '/v1/campaigns', {
      rawBody: '',
      headers: { 'content-type': 'application/json' },
    });
    const problem = assertProblem(res, 400, 'invalid_request');
    assert.equal(problem.errors?.[0]?.pointer, '');
  });
});

describe('schema errors are all reported together', () => {
  test('every problem of a campaign body comes back with pointer, code and hint', async () => {
    const res = await server.request('POST', '/v1/campaigns', {
      body: {
        nmae: 'x',
        callerId: '4155550123',
        maxAttemptsPerContact: 0,
        dialingMode: 'robot',
        callingWindow: { start: '8:00' },
        schedule: { startAt: 'tomorrow' },
        timezone: 'America/New_Yrok',
      },
    });
    const problem = assertProblem(res, 400, 'invalid_request');
    assert.equal(errorAt(problem, '/name').code, 'required');
    const typo = errorAt(problem, '/nmae');
    assert.equal(typo.code, 'unknown_field');
    assert.match(typo.hint ?? '', /'name'/);
    const phone = errorAt(problem, '/callerId');
    assert.equal(phone.code, 'invalid_phone_number');
    assert.match(phone.hint ?? '', /\+14155550123/);
    assert.equal(errorAt(problem, '/maxAttemptsPerContact').code, 'too_small');
    assert.equal(errorAt(problem, '/dialingMode').code, 'enum');
    assert.equal(errorAt(problem, '/callingWindow/start').code, 'format');
    assert.equal(errorAt(problem, '/callingWindow/end').code, 'required');
    assert.equal(errorAt(problem, '/schedule/startAt').code, 'format');
    const zone = errorAt(problem, '/timezone');
    assert.match(zone.hint ?? '', /America\/New_York/);
    assert.equal(problem.errors?.length, 9);
  });

  test('a number without + is hinted in the tenant default region', async () => {
    const res = await server.request('POST', '/v1/contacts', {
      body: {
        externalId: 'e1',
        phoneNumbers: [
          { phoneType: 'mobile', number: '(415) 555-0123' },
          { phoneType: 'work', number: '+44 20 7946 0958' },
        ],
      },
    });
    const problem = assertProblem(res, 400, 'invalid_request');
    const first = errorAt(problem, '/phoneNumbers/0/number');
    assert.equal(first.code, 'invalid_phone_number');
    assert.match(first.hint ?? '', /\+14155550123/);
    assert.match(errorAt(problem, '/phoneNumbers/1/number').hint ?? '', /\+442079460958/);
  });

  test('numbers are checked against every country, not just NANP', async () => {
    const res = await server.request('POST', '/v1/contacts', {
      body: {
        externalId: 'e2',
        phoneNumbers: [
          { phoneType: 'mobile', number: '+4420794' },
          { phoneType: 'home', number: '+33612345678' },
        ],
      },
    });
    const problem = assertProblem(res, 400, 'invalid_request');
    assert.equal(problem.errors?.length, 1);
    assert.equal(errorAt(problem, '/phoneNumbers/0/number').code, 'invalid_phone_number');
  });

  test('a union (device) reports the branch the client meant', async () => {
    const wrongKind = await server.request('POST', '/v1/users', {
      body: { name: 'A', device: { type: 'pstn', number: '+14155550123' } },
    });
    const p1 = assertProblem(wrongKind, 400, 'invalid_request');
    assert.equal(errorAt(p1, '/device/type').code, 'enum');
    const missingUri = await server.request('POST', '/v1/users', {
      body: { name: 'A', device: { type: 'sip' } },
    });
    const p2 = assertProblem(missingUri, 400, 'invalid_request');
    assert.deepEqual(
      p2.errors?.map((e) => [e.pointer, e.code]),
      [['/device/uri', 'required']],
    );
  });

  test('query parameters are validated too', async () => {
    const res = await server.request('GET', '/v1/campaigns?limit=500');
    const problem = assertProblem(res, 400, 'invalid_request');
    assert.match(problem.errors?.[0]?.detail ?? '', /limit/);
    const cursor = await server.request('GET', '/v1/campaigns?cursor=garbage');
    assertProblem(cursor, 400, 'invalid_request');
  });
});

// Foreign payload shapes and their hints: test/api/foreign-payload-hints.test.ts.

describe('state and reference errors', () => {
  test('an illegal campaign transition is 409 invalid_transition with from and to', async () => {
    const created = await server.request<{ id: string }>('POST', '/v1/campaigns', { body: { name: 'T' } });
    const res = await server.request('POST', `/v1/campaigns/${created.body.id}/pause`);
    const problem = assertProblem(res, 409, 'invalid_transition');
    assert.equal(problem.from, 'draft');
    assert.equal(problem.to, 'paused');
    assert.deepEqual(problem.allowedActions, ['start', 'stop']);
  });

  test('an unknown resource is 404 not_found naming it', async () => {
    const problem = assertProblem(await server.request('GET', '/v1/campaigns/nope'), 404, 'not_found');
    assert.equal(problem.resource, 'campaign');
    assert.equal(problem.id, 'nope');
  });

  test('an unknown route is a problem too', async () => {
    assertProblem(await server.request('GET', '/v1/nothing-here'), 404, 'not_found');
  });

  test('a duplicate externalId is 409 conflict at /externalId', async () => {
    await server.request('PUT', '/v1/contacts/dup-a', { body: { externalId: 'same' } });
    const problem = assertProblem(
      await server.request('PUT', '/v1/contacts/dup-b', { body: { externalId: 'same' } }),
      409,
      'conflict',
    );
    assert.equal(problem.pointer, '/externalId');
  });

  test('adding unknown contacts to a campaign is 422 contact_not_found listing each', async () => {
    const campaign = await server.request<{ id: string }>('POST', '/v1/campaigns', { body: { name: 'M' } });
    await server.request('PUT', '/v1/contacts/m1', { body: { externalId: 'm1' } });
    const res = await server.request('POST', `/v1/campaigns/${campaign.body.id}/contacts`, {
      body: { contactIds: ['m1', 'ghost1', 'ghost2'] },
    });
    const problem = assertProblem(res, 422, 'contact_not_found');
    assert.deepEqual(
      problem.errors?.map((e) => e.pointer),
      ['/contactIds/1', '/contactIds/2'],
    );
  });

  test('a phone type the tenant does not have is reported with the allowed ones', async () => {
    const problem = assertProblem(
      await server.request('POST', '/v1/contacts', {
        body: { externalId: 'pt', phoneNumbers: [{ phoneType: 'mobil', number: '+14155550123' }] },
      }),
      400,
      'invalid_request',
    );
    const error = errorAt(problem, '/phoneNumbers/0/phoneType');
    assert.equal(error.code, 'enum');
    assert.match(error.hint ?? '', /'mobile'/);
  });
});

describe('authentication problems', () => {
  test('no token is 401 missing_token with WWW-Authenticate', async () => {
    const res = await server.request('GET', '/v1/campaigns', { token: null });
    assertProblem(res, 401, 'missing_token');
    assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer/);
  });
  test('a token without the scope is 403 insufficient_scope naming it', async () => {
    const token = await server.tokenWithScopes(['contacts:read']);
    const res = await server.request('GET', '/v1/campaigns', { token });
    const problem = assertProblem(res, 403, 'insufficient_scope');
    assert.deepEqual(problem.requiredScopes, ['campaigns:read']);
    assert.deepEqual(problem.grantedScopes, ['contacts:read']);
    assert.match(res.headers.get('www-authenticate') ?? '', /insufficient_scope.*scope="campaigns:read"/);
  });
});

describe('rate limiting', () => {
  test('a client over its rate gets 429 rate_limited with Retry-After', async () => {
    // A clock that stands still: at 1 request/s the bucket refilled while five requests took
    // over a second each on a loaded machine, and none was refused.
    const frozen = Date.parse('2026-06-01T12:00:00Z');
    const limited = await startTestServer({
      env: { PCONN_RATE_LIMIT_RPS: '1', PCONN_RATE_LIMIT_BURST: '3' },
      clock: { now: () => new Date(frozen) },
    });
    try {
      const token = await limited.adminToken();
      const statuses: number[] = [];
      let last: Awaited<ReturnType<TestServer['request']>> | undefined;
      for (let i = 0; i < 5; i++) {
        last = await limited.request('GET', '/v1/campaigns', { token });
        statuses.push(last.status);
      }
      assert.deepEqual(statuses.slice(0, 2), [200, 200]);
      assert.equal(statuses.at(-1), 429);
      assert.ok(last);
      assertProblem(last, 429, 'rate_limited');
      assert.ok(Number(last.headers.get('retry-after')) >= 1);
    } finally {
      await limited.close();
    }
  });
});
