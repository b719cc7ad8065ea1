import type { Call } from '../../contract/calls.ts';
import { NotFoundError } from '../../domain/pconn-error.ts';
import type { RequestContext } from '../../domain/request-context.ts';
import { findCall, listAttempts, listCallEvents, listCalls } from '../../store/calls/calls.ts';
import type { Executor } from '../../store/database.ts';
import { inReadSnapshot } from '../../store/read-snapshot.ts';
import { decodeCursor, encodeCursor, type Page } from '../resources/resource-service.ts';
import { presentCall } from './present-call.ts';

/** One call with its attempts, or 404. */
export async function getCall(db: Executor, ctx: RequestContext, id: string): Promise<Call> {
  return inReadSnapshot(db, async (tx) => {
    const row = await findCall(tx, ctx.tenant.id, id);
    if (!row) throw new NotFoundError('call', id);
    return presentCall(row, await listAttempts(tx, ctx.tenant.id, [id]));
  });
}

/** A page of calls, filtered by campaign and status. */
export async function listTenantCalls(
  db: Executor,
  ctx: RequestContext,
  query: { campaignId?: string; status?: string; limit?: number; cursor?: string },
): Promise<Page<Call>> {
  return inReadSnapshot(db, (tx) => callsPage(tx, ctx, query));
}

async function callsPage(
  db: Executor,
  ctx: RequestContext,
  query: { campaignId?: string; status?: string; limit?: number; cursor?: string },
): Promise<Page<Call>> {
  const limit = query.limit ?? 50;
  const rows = await listCalls(db, ctx.tenant.id, {
    campaignId: query.campaignId,
    status: query.status,
    afterSeq: decodeCursor(query.cursor),
    limit: limit + 1,
  });
  const page = rows.slice(0, limit);
  const attempts = await listAttempts(
    db,
    ctx.tenant.id,
    page.map((r) => r.id),
  );
  const last = page.at(-1);
  return {
    data: page.map((row) =>
      presentCall(
        row,
        attempts.filter((a) => a.call_id === row.id),
      ),
    ),
    nextCursor: rows.length > limit && last ? encodeCursor(Number(last.seq)) : null,
  };
}

/** A call's ordered timeline. */
export async function getCallEvents(db: Executor, ctx: RequestContext, id: string) {
  if (!(await findCall(db, ctx.tenant.id, id))) throw new NotFoundError('call', id);
  const events = await listCallEvents(db, ctx.tenant.id, id);
  return {
    data: events.map((e) => ({
      id: `evt_${e.id}`,
      type: e.type,
      timestamp: new Date(e.at).toISOString(),
      sequence: e.sequence,
      data: e.data,
    })),
    nextCursor: null,
  };
}
