import type { Executor } from './database.ts';

/** Adds contacts to a campaign; returns how many were not members yet. */
export async function addCampaignContacts(
  db: Executor,
  tenantId: string,
  campaignId: string,
  contactIds: readonly string[],
): Promise<number> {
  if (contactIds.length === 0) return 0;
  const result = await db
    .insertInto('campaign_contacts')
    .values(
      contactIds.map((contactId) => ({
        tenant_id: tenantId,
        campaign_id: campaignId,
        contact_id: contactId,
      })),
    )
    .onConflict((oc) => oc.doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0);
}

/** Removes one membership; returns whether it existed. */
export async function removeCampaignContact(
  db: Executor,
  tenantId: string,
  campaignId: string,
  contactId: string,
): Promise<boolean> {
  const result = await db
    .deleteFrom('campaign_contacts')
    .where('tenant_id', '=', tenantId)
    .where('campaign_id', '=', campaignId)
    .where('contact_id', '=', contactId)
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/** True when the contact is a member of the campaign. */
export async function isCampaignMember(
  db: Executor,
  tenantId: string,
  campaignId: string,
  contactId: string,
): Promise<boolean> {
  const row = await db
    .selectFrom('campaign_contacts')
    .select('contact_id')
    .where('tenant_id', '=', tenantId)
    .where('campaign_id', '=', campaignId)
    .where('contact_id', '=', contactId)
    .executeTakeFirst();
  return row !== undefined;
}

/** A page of a campaign's members (contact ids with their list position). */
export async function listCampaignContactIds(
  db: Executor,
  tenantId: string,
  campaignId: string,
  page: { limit: number; afterSeq?: number },
): Promise<Array<{ contactId: string; seq: number }>> {
  let q = db
    .selectFrom('campaign_contacts as m')
    .innerJoin('contacts as c', (join) =>
      join.onRef('c.tenant_id', '=', 'm.tenant_id').onRef('c.id', '=', 'm.contact_id'),
    )
    .select(['m.contact_id', 'c.seq'])
    .where('m.tenant_id', '=', tenantId)
    .where('m.campaign_id', '=', campaignId)
    .orderBy('c.seq')
    .limit(page.limit);
  if (page.afterSeq !== undefined) q = q.where('c.seq', '>', String(page.afterSeq));
  const rows = await q.execute();
  return rows.map((row) => ({ contactId: row.contact_id, seq: Number(row.seq) }));
}
