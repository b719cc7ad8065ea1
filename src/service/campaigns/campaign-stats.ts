import type { CampaignStats } from '../../domain/pacing/campaign-stats.ts';
import { lockCampaignRow } from '../../store/calls/pacing-figures.ts';
import type { Db } from '../../store/database.ts';
import { appendSubjectEvent } from '../../store/webhooks/append-subject-event.ts';

/** Appends `campaign.stats` for each campaign (its row locked for the event's sequence). */
export async function publishCampaignStats(db: Db, stats: readonly CampaignStats[]): Promise<void> {
  for (const one of stats)
    await db.transaction().execute(async (tx) => {
      if (!(await lockCampaignRow(tx, one.tenantId, one.campaignId))) return;
      const { tenantId, ...data } = one;
      await appendSubjectEvent(tx, {
        tenantId,
        subjectType: 'campaign',
        subjectId: one.campaignId,
        campaignId: one.campaignId,
        type: 'campaign.stats',
        data,
      });
    });
}
