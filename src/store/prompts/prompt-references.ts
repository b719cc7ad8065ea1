import { sql } from 'kysely';
import type { Executor } from '../database.ts';

/*
 * Campaigns name prompts (abandonPromptId, machinePromptId). A campaign write takes a share lock
 * on each prompt it names and a prompt delete an exclusive one before looking for campaigns, so
 * whichever commits second sees the other: no campaign is ever left naming a deleted prompt.
 */

/** The ids among `ids` that are prompts of the tenant, share-locked until the transaction ends. */
export async function lockExistingPrompts(
  db: Executor,
  tenantId: string,
  ids: readonly string[],
): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db
    .selectFrom('prompts')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('id', 'in', ids)
    .forShare()
    .execute();
  return new Set(rows.map((row) => row.id));
}

/** Locks a prompt for deletion; false when it does not exist. */
export async function lockPromptForDelete(db: Executor, tenantId: string, id: string): Promise<boolean> {
  const row = await db
    .selectFrom('prompts')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
  return row !== undefined;
}

/** Ids of the tenant's campaigns naming the prompt as their abandon or machine prompt, in id order. */
export async function campaignsUsingPrompt(
  db: Executor,
  tenantId: string,
  promptId: string,
): Promise<string[]> {
  const rows = await db
    .selectFrom('campaigns')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where((eb) =>
      eb.or([
        eb(sql`data ->> 'abandonPromptId'`, '=', promptId),
        eb(sql`data ->> 'machinePromptId'`, '=', promptId),
      ]),
    )
    .orderBy('id')
    .execute();
  return rows.map((row) => row.id);
}
