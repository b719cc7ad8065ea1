import type { Db } from '../../store/database.ts';
import { ResourceRepository } from '../../store/resources.ts';
import type { StoredCallerId } from '../resources/caller-ids.ts';
import { campaignKind, type StoredCampaign } from '../resources/campaigns.ts';
import type { StoredUser } from '../resources/users.ts';

/** Ids of the demo resources created on a fresh sandbox install. */
export const SANDBOX_DEMO = {
  campaignId: 'sandbox-demo',
  userId: 'demo-agent',
  callerId: '+12125550100',
} as const;

/**
 * On a fresh install with sandbox telephony, a ready-to-call demo: an agent, a verified caller
 * id and a running campaign whose window is always open — so the first call printed by
 * `npm start` goes queued → dialing_user → dialing_contact → connected → completed at any hour.
 */
export async function seedSandboxDemo(db: Db, now: Date): Promise<void> {
  await db.transaction().execute(async (tx) => {
    await new ResourceRepository<StoredUser>('users').insert(tx, 'default', SANDBOX_DEMO.userId, {
      name: 'Demo agent (sandbox)',
      status: 'active',
      device: { type: 'sip', uri: 'sip:demo-agent@sandbox.invalid' },
      email: null,
    });
    await new ResourceRepository<StoredCallerId>('caller_ids').insert(tx, 'default', SANDBOX_DEMO.callerId, {
      verified: true,
      label: 'Sandbox demo number',
      verifiedAt: now.toISOString(),
      verifiedBy: 'bootstrap',
    });
    const campaign = (await campaignKind.toStored(
      undefined as never,
      {
        name: 'Sandbox demo',
        callerId: SANDBOX_DEMO.callerId,
        agentIds: [SANDBOX_DEMO.userId],
        timezone: 'UTC',
        callingWindow: { start: '00:00', end: '00:00' },
      },
      undefined,
      tx,
    )) as StoredCampaign;
    await new ResourceRepository<StoredCampaign>('campaigns').insert(tx, 'default', SANDBOX_DEMO.campaignId, {
      ...campaign,
      status: 'running',
    });
  });
}
