import type { Call } from '../../contract/calls.ts';
import { type CallStatus, TERMINAL_STATUSES, WAITING_STATUSES } from '../../domain/call-status.ts';
import { ConflictError, NotFoundError } from '../../domain/pconn-error.ts';
import type { RequestContext } from '../../domain/request-context.ts';
import { findCall, listAttempts, updateCall } from '../../store/calls/calls.ts';
import type { Db } from '../../store/database.ts';
import { presentCall } from './present-call.ts';
import { recordTransition } from './record-transition.ts';

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
      const canceled = await recordTransition(
        tx,
        row,
        'canceled',
        { outcome: 'canceled', lease_owner: null, leased_until: null },
        { requestId: ctx.requestId },
        ctx.now,
      );
      if (canceled) return presentCall(canceled, await listAttempts(tx, ctx.tenant.id, [id]));
      // A dialer took the call since it was read: it is live now, so flag it for the dialer.
    }
    await updateCall(tx, ctx.tenant.id, id, { cancel_requested: true }, ctx.now);
    return presentCall({ ...row, cancel_requested: true }, await listAttempts(tx, ctx.tenant.id, [id]));
  });
}
