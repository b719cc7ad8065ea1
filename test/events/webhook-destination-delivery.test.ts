import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { createServer as createTlsServer } from 'node:tls';
import { sendWebhook } from '../../src/events/webhook-sender.ts';

/** A loopback HTTP server that records the requests it gets and answers with `answer`. */
async function receiver(
  host: string,
  port: number,
  answer: (req: IncomingMessage) => { status: number; headers?: Record<string, string> } = () => ({
    status: 200,
  }),
): Promise<{ server: Server; port: number; hits: IncomingMessage[] }> {
  const hits: IncomingMessage[] = [];
  const server = createServer((req, res) => {
    hits.push(req);
    const { status, headers } = answer(req);
    res.writeHead(status, headers).end();
  });
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  return { server, port: (server.address() as AddressInfo).port, hits };
}

/** A lookup that answers each call with the next list, and counts its calls. */
function scriptedLookup(...answers: Array<Array<{ address: string; family: number }>>) {
  const calls: string[] = [];
  const lookup = async (hostname: string) => {
    calls.push(hostname);
    return answers[Math.min(calls.length, answers.length) - 1] ?? [];
  };
  return { lookup, calls };
}

const base = { body: '{}', headers: {}, timeoutMs: 1000 };
let loopback: Awaited<ReturnType<typeof receiver>>;
// The same port on another loopback address: where a second (rebound) lookup would lead.
let rebound: Awaited<ReturnType<typeof receiver>>;
let internal: Awaited<ReturnType<typeof receiver>>;

before(async () => {
  loopback = await receiver('127.0.0.1', 0);
  rebound = await receiver('127.0.0.2', loopback.port);
  internal = await receiver('127.0.0.1', 0);
});
after(() => {
  for (const { server } of [loopback, rebound, internal]) {
    server.closeAllConnections();
    server.close();
  }
});

describe('webhook delivery targets (SSRF)', () => {
  test('every spelling of a loopback, link-local or site-local literal is refused before connecting', async () => {
    const port = loopback.port;
    for (const host of [
      '127.1',
      '0x7f000001',
      '2130706433',
      '0177.0.0.1',
      '[::ffff:127.0.0.1]',
      '[::7f00:1]',
      '[64:ff9b::7f00:1]',
      '[2002:7f00:1::1]',
      '[fe90::1]',
      '[fec0::1]',
      'localhost.',
      'LOCALHOST',
      'hooks.localhost',
    ]) {
      const result = await sendWebhook({ ...base, url: `http://${host}:${port}/hook`, allowPrivate: false });
      assert.equal(result.ok, false, host);
      assert.match(result.error ?? '', /^refused: /, `${host}: ${result.error}`);
    }
    assert.equal(loopback.hits.length, 0);
  });

  test('a name resolving to loopback is refused at delivery, naming the address', async () => {
    const { lookup, calls } = scriptedLookup([{ address: '127.0.0.1', family: 4 }]);
    const result = await sendWebhook({
      ...base,
      url: `http://hooks.example:${loopback.port}/hook`,
      allowPrivate: false,
      lookup,
    });
    assert.equal(result.ok, false);
    assert.equal(
      result.error,
      'refused: hooks.example resolves to a special-purpose address: 127.0.0.1 is in 127.0.0.0/8 (Loopback, RFC 1122 §3.2.1.3)',
    );
    assert.deepEqual(calls, ['hooks.example']);
    assert.equal(loopback.hits.length, 0);
  });

  test('one private address among several answers refuses the name', async () => {
    const { lookup } = scriptedLookup([
      { address: '8.8.8.8', family: 4 },
      { address: '::ffff:10.0.0.7', family: 6 },
    ]);
    const result = await sendWebhook({
      ...base,
      url: 'https://hooks.example/x',
      allowPrivate: false,
      lookup,
    });
    assert.match(
      result.error ?? '',
      /^refused: hooks\.example resolves to a special-purpose address: ::ffff:10\.0\.0\.7 embeds 10\.0\.0\.7/,
    );
  });

  test('DNS rebinding: the connection goes to the checked address, never to a second answer', async () => {
    // First answer public, every later one loopback. Only a loopback-only network is available
    // here, so the public address cannot answer: what matters is that loopback is never reached.
    const { lookup, calls } = scriptedLookup(
      [{ address: '8.8.8.8', family: 4 }],
      [{ address: '127.0.0.1', family: 4 }],
    );
    const result = await sendWebhook({
      ...base,
      timeoutMs: 500,
      url: `http://hooks.example:${loopback.port}/hook`,
      allowPrivate: false,
      lookup,
    });
    assert.equal(result.ok, false);
    assert.doesNotMatch(result.error ?? '', /^refused/, `the first answer was public: ${result.error}`);
    assert.deepEqual(calls, ['hooks.example'], 'resolved once');
    assert.equal(loopback.hits.length, 0, 'the rebound loopback address was never connected to');
  });

  test('the request is pinned to the resolved address and keeps its Host header', async () => {
    // With private targets allowed both answers are acceptable, so this shows where the socket
    // really goes: 127.0.0.1 (first answer) and not 127.0.0.2 (a second lookup's answer).
    const { lookup, calls } = scriptedLookup(
      [{ address: '127.0.0.1', family: 4 }],
      [{ address: '127.0.0.2', family: 4 }],
    );
    const result = await sendWebhook({
      ...base,
      url: `http://hooks.example:${loopback.port}/pinned`,
      allowPrivate: true,
      lookup,
    });
    assert.equal(result.ok, true, result.error ?? '');
    assert.deepEqual(calls, ['hooks.example']);
    const hit = loopback.hits.find((req) => req.url === '/pinned');
    assert.equal(hit?.headers.host, `hooks.example:${loopback.port}`);
    assert.equal(rebound.hits.length, 0);
  });

  test('every checked address stays usable: an unreachable first answer falls back to the next', async () => {
    // Nothing listens on [::1] at this port, so node's happy eyeballs moves on to 127.0.0.1 —
    // within the checked answers, as it would with its own lookup.
    const { lookup, calls } = scriptedLookup([
      { address: '::1', family: 6 },
      { address: '127.0.0.1', family: 4 },
    ]);
    const result = await sendWebhook({
      ...base,
      url: `http://hooks.example:${loopback.port}/fallback`,
      allowPrivate: true,
      lookup,
    });
    assert.equal(result.ok, true, result.error ?? '');
    assert.deepEqual(calls, ['hooks.example']);
    assert.ok(loopback.hits.some((req) => req.url === '/fallback'));
  });

  test('https to a pinned address still sends the name as TLS server name', async () => {
    const names: string[] = [];
    // No certificate needed: the server name arrives in the ClientHello, then the handshake fails.
    const tls = createTlsServer({
      SNICallback: (name, done) => {
        names.push(name);
        done(new Error('no certificate in this test'));
      },
    });
    await new Promise<void>((resolve) => tls.listen(0, '127.0.0.1', resolve));
    try {
      const { lookup } = scriptedLookup([{ address: '127.0.0.1', family: 4 }]);
      const port = (tls.address() as AddressInfo).port;
      const result = await sendWebhook({
        ...base,
        url: `https://hooks.example:${port}/`,
        allowPrivate: true,
        lookup,
      });
      assert.equal(result.ok, false);
      assert.deepEqual(names, ['hooks.example']);
    } finally {
      tls.close();
    }
  });

  test('a 302 to a loopback URL is a failed attempt with its status, never followed', async () => {
    const redirecting = await receiver('127.0.0.1', 0, () => ({
      status: 302,
      headers: { location: `http://127.0.0.1:${internal.port}/admin?token=secret` },
    }));
    try {
      const result = await sendWebhook({
        ...base,
        url: `http://127.0.0.1:${redirecting.port}/hook`,
        allowPrivate: true,
      });
      assert.equal(result.ok, false);
      assert.equal(result.statusCode, 302);
      assert.equal(
        result.error,
        `HTTP 302: redirect to http://127.0.0.1:${internal.port} not followed (set the endpoint URL to the final address)`,
      );
      assert.doesNotMatch(result.error ?? '', /secret/, 'the query of the Location is not recorded');
      assert.equal(redirecting.hits.length, 1);
      assert.equal(internal.hits.length, 0);
    } finally {
      redirecting.server.closeAllConnections();
      redirecting.server.close();
    }
  });
});
