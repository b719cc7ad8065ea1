import assert from 'node:assert/strict';
import { test } from 'node:test';
import pino from 'pino';
import { AuditWriter } from '../../src/service/audit/audit-writer.ts';
import { openStore } from '../../src/store/open-store.ts';
import { migratedPgliteImage } from '../support/pglite-image.ts';

function event(requestId: string, body: unknown) {
  return {
    tenantId: null,
    requestId,
    clientId: null,
    method: 'GET',
    route: '/r',
    path: '/r',
    status: 200,
    code: null,
    durationMs: 1,
    ip: null,
    userAgent: null,
    bodyDigest: null,
    body,
    problem: null,
    at: new Date().toISOString(),
  };
}

test('one entry that cannot be stored does not cost the rest of its batch their entries; its own write rejects (unavailable)', async () => {
  const store = await openStore({ kind: 'pglite', image: await migratedPgliteImage() });
  const logged: unknown[] = [];
  const logger = pino({ level: 'error' }, { write: (line: string) => logged.push(JSON.parse(line)) });
  try {
    const writer = new AuditWriter(store.db, logger, { maxBatch: 100 });
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    const results = await Promise.allSettled([
      writer.write(event('good-1', { a: 1 })),
      writer.write(event('bad', circular)),
      writer.write(event('good-2', { b: 2 })),
    ]);
    assert.deepEqual(
      results.map((r) => r.status),
      ['fulfilled', 'rejected', 'fulfilled'],
    );
    const failure = (results[1] as PromiseRejectedResult).reason as { code: string; retryable: boolean };
    assert.deepEqual([failure.code, failure.retryable], ['unavailable', true]);
    const rows = await store.db.selectFrom('audit_events').select('request_id').orderBy('sequence').execute();
    assert.deepEqual(
      rows.map((r) => r.request_id),
      ['good-1', 'good-2'],
    );
    assert.equal(logged.length, 1, 'the entry that failed is in the log instead');
  } finally {
    await store.close();
  }
});

test('an entry is committed on the next turn of the event loop, not after a timer: with timers frozen it still commits', async (t) => {
  const store = await openStore({ kind: 'pglite', image: await migratedPgliteImage() });
  try {
    const writer = new AuditWriter(store.db, pino({ level: 'silent' }));
    // Frozen: a writer that waited on a timer to gather entries (it waited 2 ms, and every
    // answer with it) would never commit here.
    t.mock.timers.enable({ apis: ['setTimeout'] });
    await Promise.all([writer.write(event('one', null)), writer.write(event('two', null))]);
    t.mock.timers.reset();
    const rows = await store.db.selectFrom('audit_events').select('request_id').orderBy('sequence').execute();
    assert.deepEqual(
      rows.map((r) => r.request_id),
      ['one', 'two'],
    );
  } finally {
    await store.close();
  }
});
