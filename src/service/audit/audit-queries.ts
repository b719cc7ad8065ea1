import type { AuditSearchQuery } from '../../contract/audit.ts';
import { GENESIS_HASH } from '../../contract/audit-chain.ts';
import { AuthError } from '../../domain/pconn-error.ts';
import type { RequestContext } from '../../domain/request-context.ts';
import {
  type AuditEventRow,
  chainOf,
  findChainHead,
  listAuditEvents,
  UNAUTHENTICATED_CHAIN,
} from '../../store/audit-events.ts';
import type { Executor } from '../../store/database.ts';
import { decodeCursor, encodeCursor, type Page } from '../resources/resource-service.ts';

/**
 * Which chain to read: the caller's tenant's (default), or the chain of requests that had no
 * usable token (401s, token requests with a bad secret), which needs the `system` scope.
 */
export type AuditChainName = 'tenant' | 'unauthenticated';

/** Filters of the audit search (the route's query schema, contract/audit.ts). */
export type AuditSearch = AuditSearchQuery;

/** A page of one chain's audit entries (the caller's tenant's by default), in chain order. */
export async function searchAuditEvents(
  db: Executor,
  ctx: RequestContext,
  query: AuditSearch,
): Promise<Page<AuditEventRow>> {
  const limit = query.limit ?? 50;
  const rows = await listAuditEvents(db, readableChain(ctx, query.chain), {
    limit: limit + 1,
    requestId: query.requestId,
    clientRequestId: query.clientRequestId,
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

/** The newest link of a chain (the caller's tenant's by default). */
export async function auditChainHead(
  db: Executor,
  ctx: RequestContext,
  name?: AuditChainName,
): Promise<{ chain: string; sequence: number; hash: string }> {
  const chain = readableChain(ctx, name);
  const head = await findChainHead(db, chain);
  return { chain, sequence: head?.sequence ?? 0, hash: head?.hash ?? GENESIS_HASH };
}

/**
 * The stored chain a caller may read under `name`. The unauthenticated chain holds every
 * tenant's failed sign-ins (client ids, addresses), so only an operator (`system`) reads it.
 */
function readableChain(ctx: RequestContext, name: AuditChainName = 'tenant'): string {
  if (name === 'tenant') return chainOf(ctx.tenant.id);
  const granted = [...ctx.principal.scopes];
  if (!ctx.principal.scopes.has('system')) {
    throw new AuthError(
      'insufficient_scope',
      `Reading the unauthenticated chain needs the 'system' scope; the token has: ${granted.join(' ') || '(none)'}.`,
      { extensions: { requiredScopes: ['system'], grantedScopes: granted } },
    );
  }
  return UNAUTHENTICATED_CHAIN;
}
