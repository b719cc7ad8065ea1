import { sql } from 'kysely';
import type { OutboxSignal } from '../../src/events/outbox-signal.ts';
import type { Db } from '../../src/store/database.ts';
import type { Store } from '../../src/store/open-store.ts';
import { appendSubjectEvent } from '../../src/store/webhooks/append-subject-event.ts';

/**
 * A fresh store (`open` is one of STORE_KINDS) whose outbox writes notify `signal`, as main.ts
 * wires it, with tenant `t1`: what the outbox's readers (relay, event stream hub) are woken by.
 */
export async function openSignalledStore(
  open: () => Promise<{ store: Store; drop: () => Promise<void> }>,
  signal: OutboxSignal,
): Promise<{ db: Db; close: () => Promise<void> }> {
  const { store, drop } = await open();
  const db = store.db.withPlugin(signal.plugin());
  await sql`insert into tenants (id, name) values ('t1', 'T1') on conflict do nothing`.execute(db);
  return {
    db,
    close: async () => {
      await store.close();
      await drop();
    },
  };
}

/** Writes one event of tenant t1 about campaign `subject` in its own transaction; answers its sequence. */
export function writeCampaignEvent(db: Db, subject: string, data: Record<string, unknown>): Promise<number> {
  return db.transaction().execute((tx) =>
    appendSubjectEvent(tx, {
      tenantId: 't1',
      subjectType: 'campaign',
      subjectId: subject,
      campaignId: subject,
      type: 'campaign.status_changed',
      data,
    }),
  );
}
