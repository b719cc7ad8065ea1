import type { Executor } from './database.ts';

/**
 * The revocation generation (migration 0012): bumped whenever a credential is taken back, read
 * by every node at most every few seconds. Compared for equality only, as text (a bigint).
 */
export async function readAuthGeneration(db: Executor): Promise<string> {
  const row = await db
    .selectFrom('auth_generation')
    .select('generation')
    .where('id', '=', 1)
    .executeTakeFirst();
  return String(row?.generation ?? '0');
}
