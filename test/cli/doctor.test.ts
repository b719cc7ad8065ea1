import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { createServer as createTcpServer } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { createReceiver } from '../../examples/webhook-receiver/receiver.ts';
import { openStore } from '../../src/store/open-store.ts';
import { parseMessage } from '../../src/telephony/sip/message/parse-message.ts';
import { serializeMessage } from '../../src/telephony/sip/message/serialize-message.ts';
import { createResponseMessage } from '../../src/telephony/sip/message/sip-message.ts';
import { createTestDatabase, stopTestPostgres } from '../support/postgres-server.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';
import { runCli, serverEnv, tempConfigDir } from './run-cli.ts';

let server: TestServer;
let dir: string;
let sipPeer: Socket;
let databaseUrl: string;
let dropDatabase: () => Promise<void>;
const receiver = createReceiver(
  `whsec_${Buffer.from('0123456789abcdef0123456789abcdef').toString('base64')}`,
  () => {},
);

const cli = (args: string[], env: Record<string, string> = {}) =>
  runCli(args, {
    env: {
      ...serverEnv(server, dir),
      ...env,
    },
  });

/** A port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const probe = createTcpServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

before(async () => {
  server = await startTestServer();
  dir = tempConfigDir();
  // A SIP peer that answers OPTIONS with 200, echoing the transaction headers (RFC 3261 §8.2.6).
  sipPeer = createSocket('udp4');
  sipPeer.on('message', (data, remote) => {
    const parsed = parseMessage(data);
    if (!parsed.ok || parsed.message.kind !== 'request') return;
    const h = parsed.message.headers;
    const headers: Array<[string, string]> = ['via', 'from', 'to', 'call-id', 'cseq'].map((n) => [
      n,
      h.get(n) ?? '',
    ]);
    sipPeer.send(
      serializeMessage(createResponseMessage(200, 'OK', [...headers, ['Content-Length', '0']])),
      remote.port,
      remote.address,
    );
  });
  await new Promise<void>((resolve) => sipPeer.bind(0, '127.0.0.1', resolve));
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const database = await createTestDatabase();
  databaseUrl = database.url;
  dropDatabase = database.drop;
  const store = await openStore({ kind: 'postgres', url: databaseUrl });
  await store.close();
  await server.request('PUT', '/v1/trunks/good', {
    body: { uri: `sip:127.0.0.1:${sipPeer.address().port}` },
  });
  await server.request('PUT', '/v1/webhooks/crm', {
    body: { url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/pconn`, events: ['call.*'] },
  });
});
after(async () => {
  sipPeer.close();
  receiver.close();
  await server.close();
  await dropDatabase();
  await stopTestPostgres();
});

describe('pconn doctor', () => {
  test('a healthy setup: database migrated, clock, token, trunk answers OPTIONS, webhook reachable', async () => {
    const result = await cli(['doctor', '--json'], { DATABASE_URL: databaseUrl });
    assert.equal(result.code, 0, `${result.stdout}${result.stderr}`);
    const report = JSON.parse(result.stdout) as {
      ok: boolean;
      checks: Array<{ name: string; status: string; detail: string }>;
    };
    const byName = Object.fromEntries(report.checks.map((c) => [c.name, c]));
    assert.equal(report.ok, true);
    assert.equal(byName.database?.status, 'ok');
    assert.match(byName.database?.detail ?? '', /migrations applied \(current\)/);
    assert.equal(byName.server?.status, 'ok');
    assert.match(byName.clock?.detail ?? '', /skew vs server [+-]\d+\.\d s/);
    assert.equal(byName.token?.status, 'ok');
    assert.match(byName['trunk good']?.detail ?? '', /answered OPTIONS 200 OK in \d+ ms/);
    assert.match(byName['webhook crm']?.detail ?? '', /answered 200/);
  });

  test('a broken setup: wrong DATABASE_URL and an unreachable trunk, with what to fix; exit 1', async () => {
    const port = await closedPort();
    await server.request('PUT', '/v1/trunks/dead', { body: { uri: `sip:127.0.0.1:${port}` } });
    const result = await cli(['doctor', '--sip-timeout', '1000'], {
      DATABASE_URL: `postgres://pconn:secret@127.0.0.1:${port}/pconn`,
    });
    assert.equal(result.code, 1, result.stderr);
    assert.match(
      result.stdout,
      /✗ database: cannot connect to postgres:\/\/pconn:\*\*\*@127\.0\.0\.1:\d+\/pconn: ECONNREFUSED/,
    );
    assert.match(result.stdout, /fix: check DATABASE_URL/);
    assert.match(
      result.stdout,
      /✗ trunk dead: sip:127\.0\.0\.1:\d+ unreachable: (ECONNREFUSED|no answer within 1000 ms)/,
    );
    assert.match(result.stdout, /✓ trunk good: /);
    assert.match(result.stdout, /2 check\(s\) failed/);
    assert.doesNotMatch(result.stdout + result.stderr, /\n\s+at /);
    await server.request('DELETE', '/v1/trunks/dead');
  });

  test('an unreachable server or refused credentials exit 3', async () => {
    const down = await cli(['doctor', '--url', `http://127.0.0.1:${await closedPort()}`]);
    assert.equal(down.code, 3);
    assert.match(down.stdout, /✗ server: cannot reach .* \(ECONNREFUSED\)/);
    const refused = await cli(['doctor', '--client-secret', 'not-the-secret-123']);
    assert.equal(refused.code, 3);
    assert.match(refused.stdout, /✗ token: Authentication failed/);
  });
});
