import type { CallerId, CallerIdInput } from '../../contract/telephony-config.ts';
import { AuthError } from '../../domain/pconn-error.ts';
import type { ResourceKind } from './resource-kind.ts';

/** A caller id document as stored. */
export interface StoredCallerId {
  verified: boolean;
  label: string | null;
  verifiedAt: string | null;
  verifiedBy: string | null;
}

/**
 * Caller ids, keyed by their E.164 number. Only verified ones may be presented on calls, and
 * marking one verified needs the `admin` scope (the audit trail records who did it).
 */
export const callerIdKind: ResourceKind<CallerIdInput, StoredCallerId, CallerId> = {
  name: 'caller id',
  table: 'caller_ids',
  toStored(ctx, input, existing) {
    const verified = input.verified ?? existing?.verified ?? false;
    const becomesVerified = verified && !existing?.verified;
    if (becomesVerified && !ctx.principal.scopes.has('admin')) {
      throw new AuthError('insufficient_scope', "Marking a caller id verified needs the 'admin' scope.", {
        pointer: '/verified',
        extensions: { requiredScopes: ['admin'], grantedScopes: [...ctx.principal.scopes] },
      });
    }
    return {
      verified,
      label: input.label ?? null,
      verifiedAt: verified
        ? becomesVerified
          ? ctx.now.toISOString()
          : (existing?.verifiedAt ?? null)
        : null,
      verifiedBy: verified
        ? becomesVerified
          ? ctx.principal.clientId
          : (existing?.verifiedBy ?? null)
        : null,
    };
  },
  toInput(stored) {
    return { verified: stored.verified, ...(stored.label !== null ? { label: stored.label } : {}) };
  },
  present(row) {
    return {
      id: row.id,
      number: row.id,
      ...row.data,
      createdAt: row.createdAt.toISOString(),
      updatedAt: row.updatedAt.toISOString(),
    };
  },
};
