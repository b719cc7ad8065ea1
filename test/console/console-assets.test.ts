// The built console as the API serves it, without a browser: the first-load budget from the
// build manifest, the build skipped for unchanged sources, and the /console route's headers,
// caching and SPA fallback.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { buildConsole, CONSOLE_OUT } from '../../bin/build-console.js';
import { startTestServer, type TestServer } from '../support/test-server.ts';

let server: TestServer;

before(async () => {
  await buildConsole();
  server = await startTestServer({ env: { PCONN_DIALER: 'off' } });
});
after(() => server?.close());

describe('the built console', () => {
  test('the first load is at most 200 KB of gzipped JavaScript (from the build manifest)', () => {
    const manifest = JSON.parse(readFileSync(join(CONSOLE_OUT, '.vite', 'manifest.json'), 'utf8')) as Record<
      string,
      { file: string; isEntry?: boolean; imports?: string[] }
    >;
    const seen = new Set<string>();
    const visit = (key: string) => {
      const chunk = manifest[key];
      if (!chunk || seen.has(chunk.file)) return;
      seen.add(chunk.file);
      for (const next of chunk.imports ?? []) visit(next);
    };
    for (const [key, chunk] of Object.entries(manifest)) if (chunk.isEntry) visit(key);
    assert.ok(seen.size > 0, 'the manifest names an entry chunk');
    const gzipped = [...seen].reduce(
      (n, file) => n + gzipSync(readFileSync(join(CONSOLE_OUT, file))).length,
      0,
    );
    assert.ok(gzipped <= 200 * 1024, `first-load JavaScript is ${gzipped} bytes gzipped (budget 204800)`);
  });

  test('the console is built once: a second build of the same sources is skipped', async () => {
    assert.equal(await buildConsole(), false);
  });

  test('the console is served with a strict CSP, no framing, and an SPA fallback', async () => {
    const answer = await fetch(`${server.url}/console/campaigns/anything`);
    assert.equal(answer.status, 200);
    const csp = answer.headers.get('content-security-policy') ?? '';
    assert.match(csp, /script-src 'self'/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.ok(!csp.includes('unsafe-inline'), `no unsafe-inline: ${csp}`);
    assert.equal(answer.headers.get('x-content-type-options'), 'nosniff');
    assert.match(await answer.text(), /<div id="app">/);
    const missing = await fetch(`${server.url}/console/assets/missing.js`);
    assert.equal(missing.status, 404, 'a missing asset is a 404, not the page');
  });

  test('assets are cached for good, the page revalidates, and an unchanged file answers 304', async () => {
    const page = await fetch(`${server.url}/console/`);
    assert.equal(page.headers.get('cache-control'), 'no-cache');
    const script = /src="(\/console\/assets\/[^"]+\.js)"/.exec(await page.text())?.[1];
    assert.ok(script, 'the page loads a hashed script');
    const asset = await fetch(`${server.url}${script}`);
    assert.equal(asset.status, 200);
    assert.equal(asset.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    assert.match(asset.headers.get('content-type') ?? '', /^text\/javascript/);
    const etag = asset.headers.get('etag') ?? '';
    assert.ok(etag, 'assets carry an ETag');
    const again = await fetch(`${server.url}${script}`, { headers: { 'if-none-match': etag } });
    assert.equal(again.status, 304);
  });

  test('the console files are public and unaudited; the session routes are untouched', async () => {
    const before = await server.request<{ sequence: number }>('GET', '/v1/audit-events/head');
    await fetch(`${server.url}/console/calls`);
    const after = await server.request<{ sequence: number }>('GET', '/v1/audit-events/head');
    assert.equal(after.body.sequence, before.body.sequence + 1, 'only the first head read is audited');
    const signIn = await fetch(`${server.url}/console/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user: 'admin', password: 'whatever-it-is' }),
    });
    assert.equal(signIn.status, 403, 'POST /console/session is still the sign-in route (no X-Pconn-Console)');
    assert.equal(((await signIn.json()) as { code: string }).code, 'cross_site_request');
  });
});
