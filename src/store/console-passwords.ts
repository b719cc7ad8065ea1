import type { Executor } from './database.ts';

/** Sets (or replaces) a user's console password hash. */
export async function upsertConsolePassword(
  db: Executor,
  entry: { tenantId: string; userId: string; hash: string },
  now: Date,
): Promise<void> {
  await db
    .insertInto('console_passwords')
    .values({ tenant_id: entry.tenantId, user_id: entry.userId, hash: entry.hash, updated_at: now })
    .onConflict((oc) =>
      oc.columns(['tenant_id', 'user_id']).doUpdateSet({ hash: entry.hash, updated_at: now }),
    )
    .execute();
}

/** A user's console password hash, if they have one. */
export async function findConsolePassword(
  db: Executor,
  tenantId: string,
  userId: string,
): Promise<string | undefined> {
  const row = await db
    .selectFrom('console_passwords')
    .select('hash')
    .where('tenant_id', '=', tenantId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return row?.hash;
}

/** The users of `tenantId`, among `userIds`, that have a console password. */
export async function usersWithConsolePassword(
  db: Executor,
  tenantId: string,
  userIds: readonly string[],
): Promise<Set<string>> {
  if (userIds.length === 0) return new Set();
  const rows = await db
    .selectFrom('console_passwords')
    .select('user_id')
    .where('tenant_id', '=', tenantId)
    .where('user_id', 'in', userIds)
    .execute();
  return new Set(rows.map((row) => row.user_id));
}
