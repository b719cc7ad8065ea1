import type { Campaign } from '../../contract/campaigns.ts';
import { type CampaignAction, nextCampaignStatus } from '../../domain/campaign-status.ts';
import { NotFoundError } from '../../domain/pconn-error.ts';
import type { RequestContext } from '../../domain/request-context.ts';
import type { Db } from '../../store/database.ts';
import { ResourceRepository } from '../../store/resources.ts';
import { appendSubjectEvent } from '../../store/webhooks/append-subject-event.ts';
import { campaignKind, type StoredCampaign } from '../resources/campaigns.ts';

const campaigns = new ResourceRepository<StoredCampaign>('campaigns');

/** Applies start/pause/resume/stop to a campaign in one transaction, or 409 `invalid_transition`. */
export async function transitionCampaign(
  db: Db,
  ctx: RequestContext,
  id: string,
  action: CampaignAction,
): Promise<Campaign> {
  return db.transaction().execute(async (tx) => {
    const row = await campaigns.findForUpdate(tx, ctx.tenant.id, id);
    if (!row) throw new NotFoundError('campaign', id);
    const startAt = row.data.schedule.startAt;
    const startsInFuture = startAt !== null && new Date(startAt).getTime() > ctx.now.getTime();
    const status = nextCampaignStatus(row.data.status, action, startsInFuture);
    const updated = await campaigns.update(tx, ctx.tenant.id, id, { ...row.data, status }, ctx.now);
    if (!updated) throw new NotFoundError('campaign', id);
    const campaign = campaignKind.present(updated);
    // The outbox row commits with the change (issue 6); the row lock above orders the sequence.
    await appendSubjectEvent(tx, {
      tenantId: ctx.tenant.id,
      subjectType: 'campaign',
      subjectId: id,
      campaignId: id,
      type: 'campaign.status_changed',
      data: {
        campaign,
        from: row.data.status,
        to: status,
        campaignStatus: status,
        action,
        requestId: ctx.requestId,
      },
    });
    return campaign;
  });
}
