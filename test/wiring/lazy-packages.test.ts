import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { register } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { TestServer } from '../support/test-server.ts';

// What an idle node does not need stays unloaded until used (docs/performance.md "Memory"):
// the OpenTelemetry SDK and exporter without an OTLP endpoint, Swagger UI until /docs is opened.
// A module hook records every specifier this process resolves from here on; the node is imported
// only after it is in place (dynamic imports below), so a static import anywhere in src shows.
const TRACING_SDK = [
  '@opentelemetry/core',
  '@opentelemetry/exporter-trace-otlp-http',
  '@opentelemetry/resources',
  '@opentelemetry/sdk-trace-base',
  '@opentelemetry/semantic-conventions',
];
const SWAGGER_UI = '@fastify/swagger-ui';
const RECORDER = `
import { appendFileSync } from 'node:fs';
let log;
export function initialize(data) { log = data.log; }
export async function resolve(specifier, context, next) {
  appendFileSync(log, specifier + '\\n');
  return next(specifier, context);
}`;

let dir: string;
let log: string;
let server: TestServer;

/** The bare package names resolved so far (in this process, by ESM imports). */
async function resolvedPackages(): Promise<Set<string>> {
  const lines = (await readFile(log, 'utf8')).split('\n');
  return new Set(lines.filter((line) => /^@?[a-z]/.test(line) && !line.startsWith('node:')));
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pconn-lazy-'));
  log = join(dir, 'resolved.txt');
  register(`data:text/javascript,${encodeURIComponent(RECORDER)}`, import.meta.url, { data: { log } });
  const { startTestServer } = await import('../support/test-server.ts');
  server = await startTestServer();
});
after(async () => {
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

test('a node without an OTLP endpoint never loads the tracing SDK; Swagger UI loads on the first /docs', async () => {
  const atStart = await resolvedPackages();
  assert.ok(atStart.has('fastify'), `the recorder saw the node load: ${[...atStart].join(', ')}`);
  const loaded = TRACING_SDK.filter((name) => atStart.has(name));
  assert.deepEqual(loaded, [], `tracing is off, yet these were loaded: ${loaded.join(', ')}`);
  assert.ok(!atStart.has(SWAGGER_UI), `${SWAGGER_UI} was loaded before /docs was asked for`);

  const page = await fetch(`${server.url}/docs`);
  assert.equal(page.status, 200, 'GET /docs');
  assert.match(await page.text(), /<html/i, '/docs is an HTML page');
  assert.ok((await resolvedPackages()).has(SWAGGER_UI), `${SWAGGER_UI} loaded by the first /docs`);

  const afterDocs = await resolvedPackages();
  const loadedLater = TRACING_SDK.filter((name) => afterDocs.has(name));
  assert.deepEqual(loadedLater, [], `tracing is still off: ${loadedLater.join(', ')}`);
});
