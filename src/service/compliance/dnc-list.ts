import { NotFoundError } from '../../domain/pconn-error.ts';
import type { RequestContext } from '../../domain/request-context.ts';
import { deleteDnc, listDnc, putDnc } from '../../store/calls/dnc.ts';
import type { Executor } from '../../store/database.ts';
import type { Page } from '../resources/resource-service.ts';

/** A DNC entry as answered. */
export interface DncEntry {
  number: string;
  reason: string | null;
  createdAt: string;
}

/** Puts a number on the tenant's do-not-call list (idempotent); `created` tells whether it is new. */
export async function putDncEntry(
  db: Executor,
  ctx: RequestContext,
  number: string,
  reason: string | null,
): Promise<{ entry: DncEntry; created: boolean }> {
  const { created, createdAt } = await putDnc(db, ctx.tenant.id, number, reason);
  return { entry: { number, reason, createdAt: createdAt.toISOString() }, created };
}

/** Takes a number off the list, or 404. */
export async function deleteDncEntry(db: Executor, ctx: RequestContext, number: string): Promise<void> {
  if (!(await deleteDnc(db, ctx.tenant.id, number))) throw new NotFoundError('dnc entry', number);
}

/** A page of the list, ordered by number (the cursor is the last number, opaque to clients). */
export async function listDncEntries(
  db: Executor,
  ctx: RequestContext,
  query: { limit?: number; cursor?: string },
): Promise<Page<DncEntry>> {
  const limit = query.limit ?? 50;
  const after = query.cursor ? Buffer.from(query.cursor, 'base64url').toString('utf8') : undefined;
  const rows = await listDnc(db, ctx.tenant.id, limit + 1, after);
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    data: page.map((r) => ({ number: r.number, reason: r.reason, createdAt: r.created_at.toISOString() })),
    nextCursor: rows.length > limit && last ? Buffer.from(last.number).toString('base64url') : null,
  };
}
