import type { Call } from '../../contract/calls.ts';
import { type CallStatus, TERMINAL_STATUSES, WAITING_STATUSES } from '../../domain/call-status.ts';
import { ConflictError, NotFoundError } from '../../domain/pconn-error.ts';
import type { RequestContext } from '../../domain/request-context.ts';
import { appendCallEvent, findCall, listAttempts, updateCall } from '../../store/calls/calls.ts';
import type { Db, Executor } from '../../store/database.ts';
import { ResourceRepository } from '../../store/resources.ts';
import type { StoredCampaign } from '../resources/campaigns.ts';
import { presentCall } from './present-call.ts';

/**
 * Cancels a call. A waiting call is canceled at once; a live one is flagged and the dialer that
 * holds it hangs up its legs and records `canceled` (within its poll interval). Cancelling a
 * canceled call answers it unchanged; cancelling a finished one is 409.
 */
export async function cancelCall(db: Db, ctx: RequestContext, id: string): Promise<Call> {
  return db.transaction().execute(async (tx) => {
    const row = await findCall(tx, ctx.tenant.id, id, true);
    if (!row) throw new NotFoundError('call', id);
    const status = row.status as CallStatus;
    if (status === 'canceled') return presentCall(row, await listAttempts(tx, ctx.tenant.id, [id]));
    if (TERMINAL_STATUSES.has(status)) {
      throw new ConflictError('conflict', `The call is already ${status}; there is nothing to cancel.`, {
        extensions: { callStatus: status },
      });
    }
    if (WAITING_STATUSES.includes(status)) {
      await updateCall(tx, ctx.tenant.id, id, {
        status: 'canceled',
        outcome: 'canceled',
        lease_owner: null,
        leased_until: null,
      });
      const updated = await findCall(tx, ctx.tenant.id, id);
      if (!updated) throw new NotFoundError('call', id);
      const call = presentCall(updated, await listAttempts(tx, ctx.tenant.id, [id]));
      await appendCallEvent(tx, {
        tenantId: ctx.tenant.id,
        callId: id,
        campaignId: row.campaign_id,
        type: 'call.canceled',
        data: {
          call,
          campaignStatus: await campaignStatusOf(tx, ctx.tenant.id, row.campaign_id),
          requestId: ctx.requestId,
        },
      });
      return call;
    }
    await updateCall(tx, ctx.tenant.id, id, { cancel_requested: true });
    return presentCall({ ...row, cancel_requested: true }, await listAttempts(tx, ctx.tenant.id, [id]));
  });
}

const campaigns = new ResourceRepository<StoredCampaign>('campaigns');

/** The campaign's status now, carried by the event (null for direct calls). */
async function campaignStatusOf(
  db: Executor,
  tenantId: string,
  campaignId: string | null,
): Promise<string | null> {
  if (campaignId === null) return null;
  return (await campaigns.find(db, tenantId, campaignId))?.data.status ?? null;
}
