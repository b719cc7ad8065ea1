import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { Readable } from 'node:stream';
import { after, before, test } from 'node:test';
import { startTestServer, type TestServer } from '../support/test-server.ts';

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(() => server.close());

/** A CSV of `rows` contacts, generated as it is read (never held whole). */
function generatedCsv(rows: number): Readable {
  return Readable.from(
    (function* generate() {
      yield 'externalId,name,mobile\n';
      for (let i = 0; i < rows; i += 1000) {
        let chunk = '';
        for (let j = i; j < Math.min(rows, i + 1000); j++)
          chunk += `loop-${j},Contact ${j},+1415${String(2000000 + j).padStart(7, '0')}\n`;
        yield chunk;
      }
    })(),
  );
}

test('/healthz keeps answering promptly while a 100k-row import is parsed, staged and committed', {
  timeout: 300_000,
}, async (t) => {
  const rows = 100_000;
  const token = await server.adminToken();
  let done = false;
  const imported = new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = httpRequest(
      `${server.url}/v1/contacts/import`,
      { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv' } },
      (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => {
          body += chunk.toString();
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    generatedCsv(rows).pipe(req);
  }).finally(() => {
    done = true;
  });
  // Probes one after another for as long as the import runs; the slowest is what a load
  // balancer's health check would have seen.
  const latencies: number[] = [];
  while (!done) {
    const started = performance.now();
    const res = await fetch(`${server.url}/healthz`);
    await res.arrayBuffer();
    latencies.push(performance.now() - started);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const result = await imported;
  assert.equal(result.status, 200, result.body);
  assert.equal(JSON.parse(result.body).created, rows);
  const worst = Math.max(...latencies);
  t.diagnostic(`slowest /healthz: ${Math.round(worst)} ms of ${latencies.length} probes`);
  // A single statement over the whole import held the event loop for seconds (9.8 s for 400k
  // rows). Statements of 1,000 lines take ~50 ms on an idle machine; the margin is for a loaded 2-core CI box.
  assert.ok(worst < 1000, `/healthz took up to ${Math.round(worst)} ms (${latencies.length} probes)`);
});
