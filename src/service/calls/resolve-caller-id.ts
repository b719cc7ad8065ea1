import { sql } from 'kysely';
import { PolicyRefusalError } from '../../domain/pconn-error.ts';
import type { RequestContext } from '../../domain/request-context.ts';
import type { Executor } from '../../store/database.ts';
import { ResourceRepository } from '../../store/resources.ts';
import type { StoredCallerId } from '../resources/caller-ids.ts';

const callerIds = new ResourceRepository<StoredCallerId>('caller_ids');

/**
 * The caller id to present: the requested one (or the campaign's) when it is a verified caller id
 * of the tenant, else — when none was asked for — the tenant's first verified one. No verified
 * caller id at all is 422 `caller_id_not_verified`.
 */
export async function resolveCallerId(
  db: Executor,
  ctx: RequestContext,
  configured: string | null,
  requested: string | undefined,
): Promise<string> {
  const wanted = requested ?? configured ?? undefined;
  // The contract names /callerId for this problem, also when the caller id came from defaults.
  const pointer = '/callerId';
  if (wanted !== undefined) {
    const found = await callerIds.find(db, ctx.tenant.id, wanted);
    if (found?.data.verified) return wanted;
    const where = requested !== undefined ? '' : " (the campaign's callerId)";
    throw new PolicyRefusalError(
      'caller_id_not_verified',
      `${wanted}${where} is not a verified caller id of this tenant. Verify it with PUT /v1/caller-ids/${wanted} {"verified": true} (admin).`,
      { pointer, extensions: { callerId: wanted } },
    );
  }
  const verified = await db
    .selectFrom('caller_ids')
    .select('id')
    .where('tenant_id', '=', ctx.tenant.id)
    .where(sql`data->>'verified'`, '=', 'true')
    .orderBy('seq')
    .limit(1)
    .executeTakeFirst();
  if (!verified) {
    throw new PolicyRefusalError(
      'caller_id_not_verified',
      'This tenant has no verified caller id; verify one with PUT /v1/caller-ids/{e164} {"verified": true}.',
      {
        pointer,
      },
    );
  }
  return verified.id;
}
