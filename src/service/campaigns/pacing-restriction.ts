import { lockLastPacingRestriction } from '../../store/calls/pacing-figures.ts';
import type { Db } from '../../store/database.ts';
import { appendSubjectEvent } from '../../store/webhooks/append-subject-event.ts';

/** The governing span of a ledger, as the event shows it. */
export interface RestrictionLedger {
  liveAnswers: number;
  abandoned: number;
  rate: number;
  cap: number | null;
}

/**
 * `campaign.pacing_restricted` when a predictive campaign's ledger reached its cap (`restricted`
 * true: it dials progressive) or left it (false) — once per change, whichever node sees it
 * first: the campaign row is locked and the last such event compared. Answers whether it wrote.
 */
export async function publishPacingRestriction(
  db: Db,
  change: { tenantId: string; campaignId: string; restricted: boolean; ledger: RestrictionLedger },
): Promise<boolean> {
  return db.transaction().execute(async (tx) => {
    const last = await lockLastPacingRestriction(tx, change.tenantId, change.campaignId);
    if (last === change.restricted) return false;
    await appendSubjectEvent(tx, {
      tenantId: change.tenantId,
      subjectType: 'campaign',
      subjectId: change.campaignId,
      campaignId: change.campaignId,
      type: 'campaign.pacing_restricted',
      data: { campaign: { id: change.campaignId }, restricted: change.restricted, ledger: change.ledger },
    });
    return true;
  });
}
