import type { FieldError } from '../../domain/pconn-error.ts';
import { PolicyRefusalError } from '../../domain/pconn-error.ts';
import type { Executor } from '../../store/database.ts';
import { ResourceRepository } from '../../store/resources.ts';
import type { StoredCampaign } from '../resources/campaigns.ts';

const campaigns = new ResourceRepository<StoredCampaign>('campaigns');

/**
 * A session's campaignIds must name campaigns of the tenant whose calls the user can take:
 * the user is in agentIds (a campaign without agentIds takes any requested agent, as for
 * calls). Every bad entry is listed; unknown ids make it 422 `campaign_not_found`, otherwise
 * 422 `user_unavailable`.
 */
export async function checkSessionCampaigns(
  tx: Executor,
  tenantId: string,
  userId: string,
  campaignIds: readonly string[],
): Promise<void> {
  const found = new Map((await campaigns.findMany(tx, tenantId, campaignIds)).map((row) => [row.id, row]));
  let unknown = 0;
  const errors: FieldError[] = [];
  campaignIds.forEach((id, index) => {
    const campaign = found.get(id);
    const pointer = `/campaignIds/${index}`;
    if (!campaign) {
      unknown += 1;
      errors.push({ pointer, code: 'enum', detail: `No campaign with id '${id}' exists.` });
      return;
    }
    const agents = campaign.data.agentIds;
    if (agents.length > 0 && !agents.includes(userId))
      errors.push({
        pointer,
        code: 'enum',
        detail: `User '${userId}' is not an agent of campaign '${id}' (agentIds), so the session would get none of its calls.`,
        hint: `Add '${userId}' to the campaign's agentIds (PATCH /v1/campaigns/${id}), or leave this id out.`,
      });
  });
  if (errors.length === 0) return;
  const first = errors[0]?.pointer ?? '/campaignIds';
  if (unknown > 0)
    throw new PolicyRefusalError(
      'campaign_not_found',
      `${unknown} of the campaignIds do not exist in this tenant; see errors[].`,
      { pointer: first, errors },
    );
  throw new PolicyRefusalError(
    'user_unavailable',
    `User '${userId}' is not an agent of ${errors.length} of the campaigns; see errors[].`,
    { pointer: first, errors },
  );
}
