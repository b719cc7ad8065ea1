import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { after, describe, test } from 'node:test';
import { sql } from 'kysely';
import { writeStepsOperation } from '../../src/dialer/call-steps.ts';
import type { CallRow } from '../../src/store/calls/call-rows.ts';
import type { Db } from '../../src/store/database.ts';
import { PgliteWorkerClient } from '../../src/store/pglite-worker-client.ts';
import {
  observeOperations,
  runStoreOperation,
  type StoreOperation,
} from '../../src/store/store-operation.ts';
import { stopTestPostgres } from '../support/postgres-server.ts';
import { STORE_KINDS } from '../support/store-kinds.ts';

after(() => stopTestPostgres());

// An operation crosses to the embedded store's thread once and runs there with the thread's own
// copy of its code (src/wiring/store-thread.ts); on PostgreSQL it runs on the caller's thread.
// A stand-in with an operation's name but other code shows which copy ran.
function impostor<A, R>(operation: StoreOperation<A, R>): StoreOperation<A, R> {
  return {
    name: operation.name,
    run: async () => {
      throw new Error('ran on the node thread');
    },
  };
}

for (const [kind, open] of STORE_KINDS) {
  describe(`store operations on ${kind}`, () => {
    test('an operation runs where the store runs, once for all its statements', async () => {
      const { store, drop } = await open();
      try {
        const run = runStoreOperation(store.db, impostor(writeStepsOperation), {
          steps: [],
          now: new Date(),
        });
        if (kind === 'pglite') assert.deepEqual(await run, [], "the store's thread ran its own copy");
        else await assert.rejects(run, /ran on the node thread/);
      } finally {
        await store.close();
        await drop();
      }
    });

    test('handles derived from the store (plugins) send their operations to the same place, and observers hear of them', async () => {
      const { store, drop } = await open();
      try {
        const derived: Db = store.db.withPlugin({
          transformQuery: (args) => args.node,
          transformResult: async (args) => args.result,
        });
        const heard: string[] = [];
        observeOperations(derived, (operation) => heard.push(operation.name));
        const run = runStoreOperation(derived, impostor(writeStepsOperation), { steps: [], now: new Date() });
        if (kind === 'pglite') assert.deepEqual(await run, []);
        else await assert.rejects(run, /ran on the node thread/);
        if (kind === 'pglite') assert.deepEqual(heard, [writeStepsOperation.name]);
      } finally {
        await store.close();
        await drop();
      }
    });

    test('an operation is refused inside a transaction (on the embedded store it would run beside it)', async () => {
      const { store, drop } = await open();
      try {
        await assert.rejects(
          store.db
            .transaction()
            .execute((tx) => runStoreOperation(tx, writeStepsOperation, { steps: [], now: new Date() })),
          /store operation dialer\.write-steps run inside a transaction/,
        );
      } finally {
        await store.close();
        await drop();
      }
    });

    test("an operation's database error reaches the caller with PostgreSQL's code, and nothing of it stays", async () => {
      const { store, drop } = await open();
      try {
        // Two attempts 1 of one call in one batch: the attempts' insert breaks their primary key.
        const call = { tenant_id: 'acme', id: 'call-1', attempts_made: 0 } as CallRow;
        const begin = { kind: 'begin', call, userId: null, decision: {}, driver: 'sandbox' } as const;
        await assert.rejects(
          runStoreOperation(store.db, writeStepsOperation, { steps: [begin, begin], now: new Date() }),
          (error: { code?: string; message: string }) =>
            error.code === '23505' && /duplicate key/.test(error.message),
        );
        const { rows } = await sql<{ n: number }>`select count(*)::int as n from call_attempts`.execute(
          store.db,
        );
        assert.equal(rows[0]?.n, 0);
      } finally {
        await store.close();
        await drop();
      }
    });
  });
}

describe('the embedded store thread', () => {
  test('refuses an operation it does not serve, naming it', async () => {
    const [, open] = STORE_KINDS.find(([kind]) => kind === 'pglite') as (typeof STORE_KINDS)[number];
    const { store } = await open();
    try {
      await assert.rejects(
        runStoreOperation(store.db, { name: 'no.such-operation', run: async () => 1 }, {}),
        /serves no operation no\.such-operation/,
      );
    } finally {
      await store.close();
    }
  });

  test('serves every operation defined in src (each is listed in its entry)', () => {
    const entry = readFileSync(new URL('../../src/wiring/store-thread.ts', import.meta.url), 'utf8');
    const defined = readSources().flatMap(({ text }) =>
      [...text.matchAll(/export const (\w+): StoreOperation</g)].map((match) => match[1] as string),
    );
    assert.ok(defined.includes('writeStepsOperation'), 'the scan finds the operations');
    for (const name of defined)
      assert.match(entry, new RegExp(`\\b${name}\\b`), `${name} is served by the store's thread`);
  });
});

function readSources(): Array<{ text: string }> {
  const root = new URL('../../src/', import.meta.url);
  return readdirSync(root, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.ts'))
    .map((name) => ({ text: readFileSync(new URL(name, root), 'utf8') }));
}

describe("the store thread's client", () => {
  test('a thread that ends without a close is reported once, and every request fails from then on', async () => {
    const crashes: Error[] = [];
    const client = await PgliteWorkerClient.start(
      { settings: [] },
      (error) => crashes.push(error),
      new URL('../support/dying-store-thread.ts', import.meta.url),
    );
    await assert.rejects(
      client.request({ kind: 'query', sql: 'select 1', params: [] }),
      /ended \(exit code 3\)/,
    );
    await assert.rejects(
      client.request({ kind: 'query', sql: 'select 1', params: [] }),
      /ended \(exit code 3\)/,
    );
    assert.equal(crashes.length, 1);
    assert.match(crashes[0]?.message ?? '', /the store's thread ended \(exit code 3\)/);
    await client.close();
    assert.equal(crashes.length, 1, 'closing afterwards is no second crash');
  });

  test('a thread that ends before it is ready fails the start, which does not wait for ever', async () => {
    await assert.rejects(
      PgliteWorkerClient.start(
        { settings: [] },
        undefined,
        new URL('../support/store-thread-that-exits.ts', import.meta.url),
      ),
      /ended before it was ready \(exit code 4\)/,
    );
  });
});
