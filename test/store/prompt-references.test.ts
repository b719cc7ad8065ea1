// A prompt delete racing a campaign write that names the prompt: the campaign write share-locks
// the prompt, so the delete waits for it and then sees the campaign (409), never leaving a
// campaign naming a deleted prompt. PostgreSQL only: PGlite runs one transaction at a time.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { sql } from 'kysely';
import type { RequestContext } from '../../src/domain/request-context.ts';
import { removePrompt } from '../../src/service/prompts/prompts.ts';
import { lockExistingPrompts } from '../../src/store/prompts/prompt-references.ts';
import { upsertPrompt } from '../../src/store/prompts/prompts.ts';
import { ResourceRepository } from '../../src/store/resources.ts';
import { insertTenant } from '../../src/store/tenants.ts';
import { stopTestPostgres } from '../support/postgres-server.ts';
import { STORE_KINDS } from '../support/store-kinds.ts';
import { waitFor } from '../support/wait-for.ts';

after(() => stopTestPostgres());

const ctx: RequestContext = {
  principal: { tenantId: 'a', clientId: 'c', scopes: new Set(['campaigns:write']), issuer: 'pconn' },
  tenant: { id: 'a', defaultRegion: 'US', phoneTypes: ['mobile'] },
  requestId: 'req',
  now: new Date('2026-03-31T12:00:00Z'),
};

const postgres = STORE_KINDS.find(([kind]) => kind === 'postgres');

describe('prompt references on postgres', () => {
  test('a delete that starts while a campaign naming the prompt is being written is refused', async () => {
    assert.ok(postgres, 'the postgres store kind exists');
    const { store, drop } = await postgres[1]();
    try {
      const db = store.db;
      await insertTenant(db, { id: 'a', name: 'A', defaultRegion: 'US', phoneTypes: ['mobile'] });
      await upsertPrompt(
        db,
        {
          tenantId: 'a',
          id: 'p',
          name: null,
          audio: new Uint8Array(1600),
          durationMs: 100,
          source: {},
          sourceSha256: 'x',
        },
        ctx.now,
      );
      let removal: Promise<string> | undefined;
      await db.transaction().execute(async (tx) => {
        assert.deepEqual(
          [...(await lockExistingPrompts(tx, 'a', ['p', 'q']))],
          ['p'],
          'only existing prompts',
        );
        removal = removePrompt(db, ctx, 'p').then(
          () => 'deleted',
          (error: { code?: string }) => error.code ?? String(error),
        );
        // The delete is now waiting for the campaign write's lock (not merely queued behind it).
        // Asked on another connection: inside a transaction pg_stat_activity is a snapshot.
        await waitFor(
          async () =>
            Number(
              (
                await sql<{ n: string }>`select count(*) as n from pg_stat_activity
                  where wait_event_type = 'Lock' and datname = current_database()`.execute(db)
              ).rows[0]?.n,
            ) > 0,
          { what: 'the delete to wait on the prompt lock', timeout: 10_000 },
        );
        await new ResourceRepository<Record<string, unknown>>('campaigns').insert(tx, 'a', 'c1', {
          name: 'C1',
          abandonPromptId: 'p',
        });
      });
      assert.equal(await removal, 'prompt_in_use');
      const left = await sql<{ n: string }>`select count(*) as n from prompts where id = 'p'`.execute(db);
      assert.equal(Number(left.rows[0]?.n), 1, 'the prompt is kept');
    } finally {
      await store.close();
      await drop();
    }
  });
});
