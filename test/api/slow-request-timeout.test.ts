import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';
import { parseResponses, RawConnection } from './raw-http.ts';

// Issue 14: Fastify turns Node's request timeout off, so a client that sent headers and then
// dribbled its body (slowloris) held a connection for ever. The limits are settings now.

const HEADERS_TIMEOUT_MS = 400;
const REQUEST_TIMEOUT_MS = 800;
const KEEP_ALIVE_TIMEOUT_MS = 300;
// Generous for a loaded CI machine, still far below "never".
const SLACK_MS = 4000;

let server: TestServer;
before(async () => {
  server = await startTestServer({
    env: {
      PCONN_HTTP_HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS),
      PCONN_HTTP_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
      PCONN_HTTP_KEEP_ALIVE_TIMEOUT_MS: String(KEEP_ALIVE_TIMEOUT_MS),
    },
  });
});
after(() => server.close());

/** Resolves with the elapsed ms when the connection closes, or fails once `limitMs` passed. */
async function closedWithin(connection: RawConnection, started: number, limitMs: number): Promise<number> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`connection still served after ${limitMs} ms`)), limitMs);
  });
  try {
    await Promise.race([connection.closed, deadline]);
    return performance.now() - started;
  } finally {
    clearTimeout(timer);
    connection.socket.destroy();
  }
}

test('a body dribbled slower than the request timeout gets 408 request_timeout and the connection closes', async () => {
  const token = await server.adminToken();
  const connection = new RawConnection(server.url);
  const started = performance.now();
  await connection.write(
    `POST /v1/campaigns HTTP/1.1\r\nHost: pconn.test\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"name":"`,
  );
  // One byte every 50 ms: the connection is never idle, only slow.
  const drip = setInterval(() => {
    if (!connection.socket.destroyed) connection.socket.write('a');
  }, 50);
  try {
    const elapsed = await closedWithin(connection, started, REQUEST_TIMEOUT_MS + SLACK_MS);
    assert.ok(elapsed >= REQUEST_TIMEOUT_MS - 50, `closed after ${Math.round(elapsed)} ms, before the limit`);
  } finally {
    clearInterval(drip);
  }
  const [response] = parseResponses(connection.received);
  assert.equal(response?.status, 408, connection.received.toString());
  assert.match(response?.headers['content-type'] ?? '', /^application\/problem\+json/);
  const problem = JSON.parse(response?.body ?? '{}') as Record<string, unknown>;
  assert.equal(problem.code, 'request_timeout');
  assert.equal(problem.requestId, response?.headers['x-request-id']);
  const list = await server.request<{ data: unknown[] }>('GET', '/v1/campaigns');
  assert.equal(list.body.data.length, 0, 'the cut request created nothing');
});

test('headers dribbled slower than the headers timeout get 408 and the connection closes', async () => {
  const connection = new RawConnection(server.url);
  const started = performance.now();
  await connection.write('GET /v1/calls HTTP/1.1\r\nHost: pconn.test\r\n');
  const drip = setInterval(() => {
    if (!connection.socket.destroyed) connection.socket.write('X-Slow: 1\r\n');
  }, 50);
  try {
    await closedWithin(connection, started, HEADERS_TIMEOUT_MS + SLACK_MS);
  } finally {
    clearInterval(drip);
  }
  const [response] = parseResponses(connection.received);
  assert.equal(response?.status, 408);
  assert.equal(JSON.parse(response?.body ?? '{}').code, 'request_timeout');
});

test('an idle keep-alive connection is closed after the keep-alive timeout', async () => {
  const connection = new RawConnection(server.url);
  await connection.write('GET /healthz HTTP/1.1\r\nHost: pconn.test\r\n\r\n');
  await connection.until((text) => /\r\n\r\n[\s\S]*\}/.test(text));
  const answered = performance.now();
  assert.equal(parseResponses(connection.received)[0]?.status, 200);
  await closedWithin(connection, answered, KEEP_ALIVE_TIMEOUT_MS + SLACK_MS);
});

test('a headers timeout longer than the request timeout is a configuration error', () => {
  assert.throws(
    () => loadConfig({ PCONN_HTTP_HEADERS_TIMEOUT_MS: '5000', PCONN_HTTP_REQUEST_TIMEOUT_MS: '1000' }),
    (error: unknown) => error instanceof ConfigError && /PCONN_HTTP_HEADERS_TIMEOUT_MS/.test(error.message),
  );
  assert.deepEqual(loadConfig({}).http, {
    headersTimeoutMs: 15000,
    requestTimeoutMs: 120000,
    keepAliveTimeoutMs: 72000,
  });
});
