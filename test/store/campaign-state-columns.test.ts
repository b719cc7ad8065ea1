import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { sql } from 'kysely';
import { stopTestPostgres } from '../support/postgres-server.ts';
import { STORE_KINDS } from '../support/store-kinds.ts';

after(stopTestPostgres);

for (const [kind, open] of STORE_KINDS) {
  test(`${kind}: a campaign's status and dialing mode columns follow its document`, async () => {
    const { store, drop } = await open();
    try {
      const db = store.db;
      await sql`insert into tenants (id, name) values ('cols', 'Columns')`.execute(db);
      // A document big enough to be stored out of line, as a 1,000-agent campaign's is.
      const agentIds = Array.from({ length: 1000 }, (_, i) => `agent-${i}-${i * 7919}`);
      await sql`insert into campaigns (tenant_id, id, data) values ('cols', 'big',
        ${JSON.stringify({ id: 'big', status: 'draft', dialingMode: 'preview', agentIds })}::jsonb)`.execute(
        db,
      );
      const read = async () =>
        (
          await sql<{ status: string | null; dialing_mode: string | null }>`
            select status, dialing_mode from campaigns where tenant_id = 'cols' and id = 'big'`.execute(db)
        ).rows[0];
      assert.deepEqual(await read(), { status: 'draft', dialing_mode: 'preview' });
      await sql`update campaigns set data = jsonb_set(data, '{status}', '"running"')
        where tenant_id = 'cols' and id = 'big'`.execute(db);
      assert.deepEqual(await read(), { status: 'running', dialing_mode: 'preview' });
      await sql`update campaigns set data = data - 'dialingMode' where tenant_id = 'cols' and id = 'big'`.execute(
        db,
      );
      assert.deepEqual(await read(), { status: 'running', dialing_mode: null });
      // The columns are PostgreSQL's to keep: a write to them is refused.
      await assert.rejects(
        sql`update campaigns set status = 'paused' where tenant_id = 'cols'`.execute(db),
        (error: { code?: string }) => error.code === '428C9',
      );
    } finally {
      await store.close();
      await drop();
    }
  });
}
