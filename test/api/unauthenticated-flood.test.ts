// Floods without a token: token-less requests were answered 401 one by one (60 of 60 at 5/s),
// each with an audit entry that was never pruned (20,000 requests: +30 MB). Now an address's
// requests that fail authentication spend a budget of their own and past it get 429 at once,
// those 429s are audited as one summary per address and window, the unauthenticated chain is
// pruned behind checkpoints and still verifies, and a valid client keeps its latency.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { Agent, get } from 'node:http';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import pino from 'pino';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { AUDIT_SUMMARY_ROUTE } from '../../src/contract/audit-chain.ts';
import { auditCheckpointEntry } from '../../src/service/audit/unauthenticated-retention.ts';
import { UNAUTHENTICATED_CHAIN } from '../../src/store/audit-events.ts';
import { type ChainBounds, pruneAuditChain } from '../../src/store/audit-retention.ts';
import type { Db } from '../../src/store/database.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';
import { waitFor } from '../support/wait-for.ts';

/** Prunes `chain` to `bounds` as the retention service does, its checkpoint written at `at`. */
const prune = (db: Db, chain: string, bounds: ChainBounds, at: Date) =>
  pruneAuditChain(db, chain, bounds, auditCheckpointEntry(chain, bounds, at));

const RPS = 5;
const BURST = 10;
/** Token-less requests in the flood: enough to measure, a few seconds on a busy 2-core machine. */
const FLOOD = 2000;
const CONCURRENCY = 20;

type Answer = { status: number; retryAfter: string | null; type: string | null; code?: string };

let server: TestServer;
/** The server's log lines, parsed: the flood must not write one per refused request. */
const logLines: Array<{ msg?: string; status?: number; refused?: number }> = [];
before(async () => {
  server = await startTestServer({
    logger: pino(
      { level: 'info' },
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          for (const line of chunk.toString('utf8').split('\n')) if (line) logLines.push(JSON.parse(line));
          done();
        },
      }),
    ),
    env: {
      PCONN_DIALER: 'off',
      PCONN_RATE_LIMIT_UNAUTHENTICATED_RPS: String(RPS),
      PCONN_RATE_LIMIT_UNAUTHENTICATED_BURST: String(BURST),
      PCONN_AUDIT_SUMMARY_SECONDS: '1',
    },
  });
});
after(() => server.close());

/** The flood's connections: node:http with keep-alive (lighter than fetch in this same process). */
const floodAgent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
after(() => floodAgent.destroy());

/** One token-less GET on the flood's connections. */
function floodRequest(): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = get(`${server.url}/v1/campaigns`, { agent: floodAgent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          retryAfter: (res.headers['retry-after'] as string | undefined) ?? null,
          type: res.headers['content-type'] ?? null,
          code: (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { code?: string }).code,
        }),
      );
    });
    req.on('error', reject);
  });
}

async function tokenless(headers: Record<string, string> = {}): Promise<Answer> {
  const res = await fetch(`${server.url}/v1/campaigns`, { headers });
  const body = (await res.json()) as { code?: string };
  return {
    status: res.status,
    retryAfter: res.headers.get('retry-after'),
    type: res.headers.get('content-type'),
    code: body.code,
  };
}

/** Milliseconds of one valid request (a listed campaign page, audited like any request). */
async function validRequest(token: string): Promise<number> {
  const started = performance.now();
  const res = await fetch(`${server.url}/v1/campaigns?limit=1`, {
    headers: { authorization: `Bearer ${token}` },
  });
  await res.arrayBuffer();
  assert.equal(res.status, 200, 'a valid client is never refused by the flood’s budget');
  return performance.now() - started;
}

function p99(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.99) - 1)] ?? 0;
}

async function unauthenticatedEntries(): Promise<number> {
  const row = await server.store.db
    .selectFrom('audit_events')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('chain', '=', UNAUTHENTICATED_CHAIN)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

describe('a flood of token-less requests', () => {
  test('without PCONN_TRUST_PROXY, X-Forwarded-For is ignored', async () => {
    const answer = await tokenless({ 'x-forwarded-for': '203.0.113.9', 'x-request-id': 'xff-ignored' });
    assert.equal(answer.status, 401);
    const entry = await server.store.db
      .selectFrom('audit_events')
      .select(['ip'])
      .where('client_request_id', '=', 'xff-ignored')
      .executeTakeFirst();
    assert.equal(entry?.ip, '127.0.0.1');
  });

  test('is refused past its address budget, audited in summaries, and a valid client keeps its latency', async () => {
    const token = await server.adminToken();
    for (let i = 0; i < 20; i++) await validRequest(token); // warm-up
    const before: number[] = [];
    for (let i = 0; i < 100; i++) before.push(await validRequest(token));
    const entriesBefore = await unauthenticatedEntries();
    const logBefore = logLines.length;

    const started = performance.now();
    const answers: Answer[] = [];
    let sent = 0;
    const flooders = Array.from({ length: CONCURRENCY }, async () => {
      while (sent < FLOOD) {
        sent++;
        answers.push(await floodRequest());
      }
    });
    const during: number[] = [];
    const valid = (async () => {
      while (sent < FLOOD) during.push(await validRequest(token));
    })();
    await Promise.all([...flooders, valid]);
    const seconds = (performance.now() - started) / 1000;

    const unauthorized = answers.filter((a) => a.status === 401).length;
    const refused = answers.filter((a) => a.status === 429);
    assert.equal(unauthorized + refused.length, FLOOD, 'every answer is a 401 or a 429');
    assert.ok(
      unauthorized <= BURST + Math.ceil(seconds * RPS) + 1,
      `${unauthorized} answered 401 in ${seconds.toFixed(1)} s (budget ${BURST} + ${RPS}/s)`,
    );
    for (const answer of refused.slice(0, 5)) {
      assert.equal(answer.code, 'rate_limited');
      assert.match(answer.type ?? '', /application\/problem\+json/);
      assert.ok(Number(answer.retryAfter) >= 1, `Retry-After: ${answer.retryAfter}`);
    }

    // Each 401 has its entry; the 429s are counted in summaries (one per address and second).
    const summaries = await waitFor(
      async () => {
        const rows = await server.store.db
          .selectFrom('audit_events')
          .select(['body', 'ip'])
          .where('chain', '=', UNAUTHENTICATED_CHAIN)
          .where('route', '=', AUDIT_SUMMARY_ROUTE)
          .execute();
        const counted = rows.reduce(
          (n, row) => n + (row.body as { summary: { refused: number } }).summary.refused,
          0,
        );
        return counted === refused.length ? rows : undefined;
      },
      { timeout: 10_000, what: `summaries counting ${refused.length} refusals`, interval: 100 },
    );
    assert.ok(
      summaries.every((row) => row.ip === '127.0.0.1'),
      'summaries name the address',
    );
    const added = (await unauthenticatedEntries()) - entriesBefore;
    assert.ok(
      added <= unauthorized + Math.ceil(seconds) + 3,
      `${added} entries for ${FLOOD} requests (${unauthorized} 401s, ${summaries.length} summaries)`,
    );

    // The log, like the audit trail, has a line per 401 and per address window, not per 429.
    const floodLog = logLines.slice(logBefore);
    const refusedLines = floodLog.filter((line) => line.msg === 'request' && line.status === 429);
    assert.equal(refusedLines.length, 0, `${refusedLines.length} request lines for refused requests`);
    assert.ok(
      floodLog.some((line) => line.msg?.startsWith('address over its budget before authentication')),
      'the first refusal of an address is logged once',
    );
    assert.equal(
      floodLog
        .filter((line) => line.msg === 'requests refused before authentication (summary)')
        .reduce((n, line) => n + (line.refused ?? 0), 0),
      refused.length,
      'the summary lines count every refusal',
    );

    // Generous: the machine has 2 shared cores and the flood's client runs in this very process
    // (measured 13–54 ms before, 60–220 ms during). It catches the seconds-long stalls.
    const [p99Before, p99During] = [p99(before), p99(during)];
    console.log(
      `valid client p99: ${p99Before.toFixed(1)} ms before, ${p99During.toFixed(1)} ms during the flood (${during.length} requests); ${FLOOD} token-less in ${seconds.toFixed(1)} s: ${unauthorized} × 401, ${refused.length} × 429, ${added} audit entries`,
    );
    assert.ok(p99During < Math.max(1000, 10 * p99Before), `p99 ${p99During.toFixed(1)} ms during the flood`);
  });

  test('the pruned unauthenticated chain verifies with pconn audit verify', async () => {
    const outcome = await prune(
      server.store.db,
      UNAUTHENTICATED_CHAIN,
      { olderThan: new Date(0), maxEntries: 5 },
      new Date(),
    );
    assert.ok(outcome.pruned > 0, 'something was pruned');
    const { stdout } = await promisify(execFile)(
      'node',
      [
        'bin/pconn.js',
        'audit',
        'verify',
        '--chain',
        'unauthenticated',
        '--url',
        server.url,
        '--client-id',
        server.adminId,
        '--client-secret',
        server.adminSecret,
      ],
      { env: { ...process.env, PCONN_URL: '' } },
    );
    assert.match(stdout, /unauthenticated chain intact/);
  });
});

describe('behind a reverse proxy', () => {
  let proxied: TestServer;
  before(async () => {
    proxied = await startTestServer({
      env: {
        PCONN_DIALER: 'off',
        PCONN_TRUST_PROXY: '127.0.0.1/8, ::1',
        PCONN_RATE_LIMIT_UNAUTHENTICATED_RPS: '1',
        PCONN_RATE_LIMIT_UNAUTHENTICATED_BURST: '2',
      },
    });
  });
  after(() => proxied.close());

  const from = (address: string, requestId: string) =>
    fetch(`${proxied.url}/v1/campaigns`, {
      headers: { 'x-forwarded-for': address, 'x-request-id': requestId },
    });

  test('the client X-Forwarded-For names has its own budget and is the audited address', async () => {
    const first = [
      await from('203.0.113.1', 'xff-1'),
      await from('203.0.113.1', 'xff-2'),
      await from('203.0.113.1', 'xff-3'),
    ];
    assert.deepEqual(
      first.map((r) => r.status),
      [401, 401, 429],
    );
    assert.equal((await from('203.0.113.2', 'xff-other')).status, 401, 'another client is not refused');
    const entry = await proxied.store.db
      .selectFrom('audit_events')
      .select(['ip'])
      .where('client_request_id', '=', 'xff-other')
      .executeTakeFirst();
    assert.equal(entry?.ip, '203.0.113.2');
  });

  test('requests to paths that do not exist spend the same budget', async () => {
    const statuses = [];
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${proxied.url}/v1/no-such-route`, {
        headers: { 'x-forwarded-for': '203.0.113.3' },
      });
      await res.arrayBuffer();
      statuses.push(res.status);
    }
    assert.deepEqual(statuses, [404, 404, 429]);
  });

  test('PCONN_TRUST_PROXY takes addresses, CIDRs and named ranges, and refuses anything else', () => {
    assert.deepEqual(loadConfig({ PCONN_TRUST_PROXY: '10.0.0.0/8, loopback,2001:db8::1' }).trustProxy, [
      '10.0.0.0/8',
      'loopback',
      '2001:db8::1',
    ]);
    assert.equal(loadConfig({}).trustProxy, false);
    assert.throws(() => loadConfig({ PCONN_TRUST_PROXY: 'true' }), ConfigError);
    assert.throws(() => loadConfig({ PCONN_TRUST_PROXY: '10.0.0.0/40' }), ConfigError);
  });
});
