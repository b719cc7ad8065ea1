import type { Contact } from '../../contract/contacts.ts';
import { NotFoundError, PolicyRefusalError } from '../../domain/pconn-error.ts';
import type { RequestContext } from '../../domain/request-context.ts';
import {
  addCampaignContacts,
  listCampaignContactIds,
  removeCampaignContact,
} from '../../store/campaign-contacts.ts';
import type { Db } from '../../store/database.ts';
import { ResourceRepository } from '../../store/resources.ts';
import { contactKind, type StoredContact } from '../resources/contacts.ts';
import { decodeCursor, encodeCursor, type Page } from '../resources/resource-service.ts';

const campaigns = new ResourceRepository('campaigns');
const contacts = new ResourceRepository<StoredContact>('contacts');

/** Adds existing contacts to a campaign; unknown ids are 422 `contact_not_found`, all listed. */
export async function addContactsToCampaign(
  db: Db,
  ctx: RequestContext,
  campaignId: string,
  contactIds: readonly string[],
): Promise<{ added: number; alreadyMembers: number }> {
  return db.transaction().execute(async (tx) => {
    if (!(await campaigns.find(tx, ctx.tenant.id, campaignId)))
      throw new NotFoundError('campaign', campaignId);
    const found = new Set((await contacts.findMany(tx, ctx.tenant.id, contactIds)).map((row) => row.id));
    const errors = contactIds.flatMap((id, index) =>
      found.has(id)
        ? []
        : [
            {
              pointer: `/contactIds/${index}`,
              code: 'enum' as const,
              detail: `No contact with id '${id}' exists.`,
            },
          ],
    );
    if (errors.length > 0) {
      throw new PolicyRefusalError(
        'contact_not_found',
        `${errors.length} of the contacts do not exist in this tenant.`,
        {
          pointer: errors[0]?.pointer,
          errors,
        },
      );
    }
    const added = await addCampaignContacts(tx, ctx.tenant.id, campaignId, contactIds);
    return { added, alreadyMembers: contactIds.length - added };
  });
}

/** Removes a contact from a campaign, or 404 when it is not a member. */
export async function removeContactFromCampaign(
  db: Db,
  ctx: RequestContext,
  campaignId: string,
  contactId: string,
): Promise<void> {
  if (!(await campaigns.find(db, ctx.tenant.id, campaignId))) throw new NotFoundError('campaign', campaignId);
  if (!(await removeCampaignContact(db, ctx.tenant.id, campaignId, contactId))) {
    throw new NotFoundError('campaign member', contactId);
  }
}

/** A page of a campaign's contacts. */
export async function listCampaignContacts(
  db: Db,
  ctx: RequestContext,
  campaignId: string,
  query: { limit?: number; cursor?: string },
): Promise<Page<Contact>> {
  if (!(await campaigns.find(db, ctx.tenant.id, campaignId))) throw new NotFoundError('campaign', campaignId);
  const limit = query.limit ?? 50;
  const ids = await listCampaignContactIds(db, ctx.tenant.id, campaignId, {
    limit: limit + 1,
    afterSeq: decodeCursor(query.cursor),
  });
  const page = ids.slice(0, limit);
  const rows = await contacts.findMany(
    db,
    ctx.tenant.id,
    page.map((m) => m.contactId),
  );
  const byId = new Map(rows.map((row) => [row.id, row]));
  const last = page.at(-1);
  return {
    data: page.flatMap((m) => {
      const row = byId.get(m.contactId);
      return row ? [contactKind.present(row)] : [];
    }),
    nextCursor: ids.length > limit && last ? encodeCursor(last.seq) : null,
  };
}
