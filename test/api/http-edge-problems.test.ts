import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestServer, type TestServer } from '../support/test-server.ts';
import { waitFor } from '../support/wait-for.ts';
import { exchange, parseResponses, RawConnection, type RawResponse } from './raw-http.ts';

// Issue 14: errors raised before any route ran (Node's HTTP parser, Fastify's router, the
// closing server) were plain JSON or empty; every error answer must be a problem.

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(() => server.close());

/** The contract's members, the problem media type and our request id, for `status`/`code`. */
function assertProblem(
  response: RawResponse | undefined,
  status: number,
  code: string,
): Record<string, unknown> {
  assert.ok(response, 'no response');
  assert.equal(response.status, status, response.body);
  assert.match(response.headers['content-type'] ?? '', /^application\/problem\+json/);
  const problem = JSON.parse(response.body) as Record<string, unknown>;
  assert.equal(problem.type, `http://pconn.test/problems/${code}`);
  assert.equal(problem.code, code);
  assert.equal(problem.status, status);
  assert.ok(typeof problem.title === 'string' && problem.title.length > 0);
  assert.ok(typeof problem.detail === 'string' && problem.detail.length > 0);
  assert.match(String(problem.requestId), /^req_[A-Za-z0-9_-]{20}$/);
  assert.equal(problem.requestId, response.headers['x-request-id']);
  return problem;
}

describe('errors raised before routing are problems', () => {
  test('headers over 16 KiB: 431 headers_too_large, without echoing them', async () => {
    const secret = `s3cr3t-${'x'.repeat(20_000)}`;
    const [response, ...more] = await exchange(
      server.url,
      `GET /v1/calls HTTP/1.1\r\nHost: pconn.test\r\nCookie: ${secret}\r\n\r\n`,
    );
    assert.equal(more.length, 0);
    assertProblem(response, 431, 'headers_too_large');
    assert.ok(!response?.body.includes('s3cr3t'));
  });

  test('a broken request line: 400 malformed_request', async () => {
    const [response] = await exchange(server.url, 'NOT HTTP AT ALL\r\n\r\n');
    const problem = assertProblem(response, 400, 'malformed_request');
    assert.match(String(problem.detail), /not valid HTTP/);
  });

  test('a bad Content-Length: 400 malformed_request', async () => {
    const [response] = await exchange(
      server.url,
      'POST /v1/campaigns HTTP/1.1\r\nHost: pconn.test\r\nContent-Length: 12abc\r\n\r\n{}',
    );
    assertProblem(response, 400, 'malformed_request');
  });

  test('an Expect other than 100-continue: 417 expectation_failed', async () => {
    const [response] = await exchange(
      server.url,
      'GET /v1/calls HTTP/1.1\r\nHost: pconn.test\r\nExpect: something-else\r\n\r\n',
    );
    assertProblem(response, 417, 'expectation_failed');
  });

  test('a path that is not valid percent-encoding: 400 invalid_request from the router', async () => {
    const [response] = await exchange(
      server.url,
      'GET /v1/calls/%E0%A4%A HTTP/1.1\r\nHost: pconn.test\r\nConnection: close\r\n\r\n',
    );
    const problem = assertProblem(response, 400, 'invalid_request');
    assert.deepEqual(
      (problem.errors as Array<{ pointer: string; code: string }>).map(({ pointer, code }) => ({
        pointer,
        code,
      })),
      [{ pointer: '', code: 'format' }],
    );
    assert.match(JSON.stringify(problem.errors), /percent-encoding/);
  });

  test('a path parameter over 256 characters: 400 invalid_request from the router', async () => {
    const [response] = await exchange(
      server.url,
      `GET /v1/calls/${'a'.repeat(300)} HTTP/1.1\r\nHost: pconn.test\r\nConnection: close\r\n\r\n`,
    );
    const problem = assertProblem(response, 400, 'invalid_request');
    assert.equal((problem.errors as Array<{ code: string }>)[0]?.code, 'too_long');
  });

  test('an unknown route: 404 not_found', async () => {
    const response = await fetch(`${server.url}/v2/nothing`);
    assertProblem(
      { status: response.status, headers: Object.fromEntries(response.headers), body: await response.text() },
      404,
      'not_found',
    );
  });

  test('a known path with the wrong method: 405 method_not_allowed with Allow', async () => {
    const response = await fetch(`${server.url}/v1/calls`, { method: 'DELETE' });
    const raw = {
      status: response.status,
      headers: Object.fromEntries(response.headers),
      body: await response.text(),
    };
    const problem = assertProblem(raw, 405, 'method_not_allowed');
    assert.equal(raw.headers.allow, 'GET, HEAD, POST');
    assert.deepEqual(problem.allowedMethods, ['GET', 'HEAD', 'POST']);
    const item = await fetch(`${server.url}/v1/campaigns/cmp-1/start`, { method: 'GET' });
    assert.equal(item.status, 405);
    assert.equal(item.headers.get('allow'), 'POST');
    await item.body?.cancel();
  });
});

test('a request reaching a closing node: 503 unavailable problem with Retry-After', async () => {
  const local = await startTestServer();
  const token = await local.adminToken();
  const connection = new RawConnection(local.url);
  // Expect: 100-continue makes Node answer `100 Continue` once the request is dispatched, so
  // the test knows it is in flight (its connection not idle) before the node starts closing.
  const body = JSON.stringify({ name: 'in flight' });
  await connection.write(
    `POST /v1/campaigns HTTP/1.1\r\nHost: pconn.test\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nExpect: 100-continue\r\n\r\n`,
  );
  await connection.until((text) => text.includes('100 Continue'));
  const closing = local.close();
  await waitFor(
    () =>
      fetch(`${local.url}/healthz`).then(
        () => false,
        () => true,
      ),
    { what: 'the node to stop accepting connections' },
  );
  // The body ends the first request; a second one follows on the same connection.
  await connection.write(
    `${body}GET /v1/calls HTTP/1.1\r\nHost: pconn.test\r\nAuthorization: Bearer ${token}\r\n\r\n`,
  );
  const raw = await connection.closed;
  const responses = parseResponses(raw.subarray(raw.indexOf('\r\n\r\n') + 4));
  assert.equal(responses[0]?.status, 201, responses[0]?.body);
  const problem = assertProblem(responses[1], 503, 'unavailable');
  assert.equal(responses[1]?.headers['retry-after'], '1');
  assert.equal(problem.retryable, true);
  await closing;
});
