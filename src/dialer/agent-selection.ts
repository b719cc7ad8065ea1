import type { LegTarget } from '../domain/telephony.ts';
import type { StoredCampaign } from '../service/resources/campaigns.ts';
import type { StoredUser } from '../service/resources/users.ts';
import type { CallRow } from '../store/calls/call-rows.ts';
import { busyUserIds } from '../store/calls/calls.ts';
import type { Executor } from '../store/database.ts';
import { ResourceRepository } from '../store/resources.ts';

const users = new ResourceRepository<StoredUser>('users');
const campaigns = new ResourceRepository<StoredCampaign>('campaigns');

/** The agent picked for a call and where to ring them. */
export interface SelectedAgent {
  userId: string;
  target: LegTarget;
}

/**
 * Picks the agent: the requested user when active and free, else the first active, free agent
 * of the campaign (agentIds order). Undefined means "nobody now": the call waits.
 */
export async function selectAgent(db: Executor, call: CallRow): Promise<SelectedAgent | undefined> {
  const busy = await busyUserIds(db, call.tenant_id);
  const candidates = call.requested_user_id
    ? [call.requested_user_id]
    : call.campaign_id
      ? ((await campaigns.find(db, call.tenant_id, call.campaign_id))?.data.agentIds ?? [])
      : [];
  const rows = await users.findMany(db, call.tenant_id, candidates);
  for (const id of candidates) {
    const user = rows.find((r) => r.id === id);
    if (user?.data.status !== 'active' || busy.has(id)) continue;
    const device = user.data.device;
    const target: LegTarget =
      device.type === 'sip'
        ? { kind: 'sip', uri: device.uri }
        : device.type === 'phone'
          ? { kind: 'phone', number: device.number }
          : { kind: 'registered', username: device.username ?? id };
    return { userId: id, target };
  }
  return undefined;
}
