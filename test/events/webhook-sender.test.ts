import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { sendWebhook } from '../../src/events/webhook-sender.ts';

let server: Server;
let url = '';

before(async () => {
  server = createServer((req, res) => {
    if (req.url === '/hang') return; // never answers
    res.writeHead(req.url === '/fail' ? 500 : 200).end('ignored body');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => {
  server.closeAllConnections();
  server.close();
});

describe('webhook sender', () => {
  const base = { body: '{}', headers: {}, timeoutMs: 300, allowPrivate: true };

  test('2xx is delivered; other statuses are failures naming the status', async () => {
    const ok = await sendWebhook({ ...base, url: `${url}/ok` });
    assert.deepEqual([ok.ok, ok.statusCode, ok.error], [true, 200, null]);
    const failed = await sendWebhook({ ...base, url: `${url}/fail` });
    assert.deepEqual([failed.ok, failed.statusCode, failed.error], [false, 500, 'HTTP 500']);
  });

  test('a receiver that does not answer is cut off at the timeout', async () => {
    const started = Date.now();
    const result = await sendWebhook({ ...base, url: `${url}/hang` });
    assert.equal(result.ok, false);
    assert.equal(result.error, 'timeout after 300 ms');
    assert.ok(Date.now() - started < 2000);
  });

  test('private and loopback targets are refused at delivery time unless allowed', async () => {
    const refused = await sendWebhook({ ...base, url: `${url}/ok`, allowPrivate: false });
    assert.equal(refused.ok, false);
    assert.match(refused.error ?? '', /^refused: 127\.0\.0\.1 is in 127\.0\.0\.0\/8 \(Loopback/);
    const byName = await sendWebhook({ ...base, url: 'http://localhost:1/x', allowPrivate: false });
    assert.match(byName.error ?? '', /^refused/);
  });

  test('a closed port is a connection error', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const result = await sendWebhook({ ...base, url: `http://127.0.0.1:${port}/` });
    assert.equal(result.ok, false);
    assert.equal(result.error, 'ECONNREFUSED');
  });
});
