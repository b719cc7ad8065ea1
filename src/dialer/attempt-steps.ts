import type { StoredCampaign } from '../service/resources/campaigns.ts';
import type { CallRow } from '../store/calls/call-rows.ts';
import type { Executor } from '../store/database.ts';
import { ResourceRepository } from '../store/resources.ts';

const campaigns = new ResourceRepository<StoredCampaign>('campaigns');

/** The status of a call's campaign now (null for direct calls), for failure telemetry. */
export async function campaignStatusOf(db: Executor, call: CallRow): Promise<string | null> {
  if (!call.campaign_id) return null;
  return (await campaigns.find(db, call.tenant_id, call.campaign_id))?.data.status ?? null;
}
