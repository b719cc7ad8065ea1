import { GENESIS_HASH } from '../../contract/audit-chain.ts';
import type { RequestContext } from '../../domain/request-context.ts';
import { type AuditEventRow, chainOf, findChainHead, listAuditEvents } from '../../store/audit-events.ts';
import type { Executor } from '../../store/database.ts';
import { decodeCursor, encodeCursor, type Page } from '../resources/resource-service.ts';

/** Filters of the audit search. */
export interface AuditSearch {
  requestId?: string;
  status?: number;
  code?: string;
  from?: string;
  to?: string;
  limit?: number;
  cursor?: string;
}

/** A page of the caller's tenant's audit entries, in chain order. */
export async function searchAuditEvents(
  db: Executor,
  ctx: RequestContext,
  query: AuditSearch,
): Promise<Page<AuditEventRow>> {
  const limit = query.limit ?? 50;
  const rows = await listAuditEvents(db, ctx.tenant.id, {
    limit: limit + 1,
    requestId: query.requestId,
    status: query.status,
    code: query.code,
    from: query.from ? new Date(query.from) : undefined,
    to: query.to ? new Date(query.to) : undefined,
    afterSequence: decodeCursor(query.cursor),
  });
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return { data: page, nextCursor: rows.length > limit && last ? encodeCursor(last.sequence) : null };
}

/** The newest link of the caller's tenant's chain. */
export async function auditChainHead(
  db: Executor,
  ctx: RequestContext,
): Promise<{ chain: string; sequence: number; hash: string }> {
  const head = await findChainHead(db, ctx.tenant.id);
  return { chain: chainOf(ctx.tenant.id), sequence: head?.sequence ?? 0, hash: head?.hash ?? GENESIS_HASH };
}
