import type { Executor } from '../database.ts';

/**
 * Gives up the lease on deliveries this relay claimed but will not send now (the rest of a
 * chain after a failure, or on shutdown), so they are due again at once for whoever claims them.
 */
export async function releaseDeliveries(db: Executor, owner: string, ids: readonly number[]): Promise<void> {
  if (ids.length === 0) return;
  await db
    .updateTable('webhook_deliveries')
    .set({ lease_owner: null, leased_until: null })
    .where('lease_owner', '=', owner)
    .where(
      'id',
      'in',
      ids.map((id) => String(id)),
    )
    .execute();
}
