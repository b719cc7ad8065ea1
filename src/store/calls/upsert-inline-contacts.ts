import { sql } from 'kysely';
import type { Executor } from '../database.ts';
import { keyProbe } from './key-probes.ts';

/** One inline contact of an accept batch: inserted (a new id) or replacing the stored document. */
export interface InlineContactRow {
  tenantId: string;
  campaignId: string;
  id: string;
  externalId: string;
  data: unknown;
  /** The contact existed when the batch read its facts: update rather than insert. */
  exists: boolean;
  at: Date;
}

/**
 * Upserts every inline contact of an accept batch and makes each a member of its campaign in ONE
 * statement, whatever the batch's size (one INSERT and one UPDATE per contact, plus a membership
 * INSERT each, were the accept path's longest run of round trips). Answers the contacts written,
 * as `tenantId/id`: one missing was deleted since the facts were read (its update found no row).
 * A new contact whose externalId another writer stored meanwhile fails the statement on the
 * unique index, and the caller's transaction with it. Several requests of the batch naming one
 * existing contact write the last one's document, as one after the other would.
 */
export async function upsertInlineContacts(
  db: Executor,
  contacts: readonly InlineContactRow[],
): Promise<Set<string>> {
  if (contacts.length === 0) return new Set();
  const items = JSON.stringify(
    contacts.map((c, i) => ({
      i,
      t: c.tenantId,
      p: c.campaignId,
      id: c.id,
      x: c.externalId,
      d: c.data,
      e: c.exists,
      at: c.at.toISOString(),
    })),
  );
  // Membership rows reference contacts inserted by a sibling of the same statement: foreign keys
  // are checked at the end of the statement, when every part of it has run.
  const result = await sql<{ tenant_id: string; id: string }>`
    with w as materialized (
      select * from jsonb_to_recordset(${items}::jsonb)
        as w(i int, t text, p text, id text, x text, d jsonb, e boolean, at timestamptz)
    ),
    inserted as (
      insert into contacts (tenant_id, id, data, external_id)
      select distinct on (t, id) t, id, d, x from w where not e order by t, id, i desc
      on conflict (tenant_id, id) do nothing
      returning tenant_id, id
    ),
    updated as (
      update contacts c set data = l.d, updated_at = l.at, external_id = l.x
      from (select distinct on (t, id) * from w where e order by t, id, i desc) l
      where c.tenant_id = l.t and c.id = l.id
        and ${keyProbe('c', { tenant: 'tenant_id', id: 'id' }, sql`(select t as tenant, id from w where e)`)}
      returning c.tenant_id, c.id
    ),
    members as (
      insert into campaign_contacts (tenant_id, campaign_id, contact_id)
      select distinct w.t, w.p, w.id from w
      where exists (select 1 from inserted n where n.tenant_id = w.t and n.id = w.id)
        or exists (select 1 from updated u where u.tenant_id = w.t and u.id = w.id)
      on conflict do nothing
    )
    select tenant_id, id from inserted union all select tenant_id, id from updated`.execute(db);
  return new Set(result.rows.map((row) => `${row.tenant_id}/${row.id}`));
}
