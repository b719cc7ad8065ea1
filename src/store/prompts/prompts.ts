import type { Executor } from '../database.ts';

/** A prompt's description, without its audio. */
export interface PromptRow {
  tenantId: string;
  id: string;
  name: string | null;
  durationMs: number;
  source: Record<string, unknown>;
  sourceSha256: string;
  createdAt: Date;
  updatedAt: Date;
}

const DESCRIPTION = [
  'tenant_id',
  'id',
  'name',
  'duration_ms',
  'source',
  'source_sha256',
  'created_at',
  'updated_at',
] as const;

/** Stores a prompt (insert or replace). The audio is 8 kHz 16-bit mono PCM, little-endian. */
export async function upsertPrompt(
  db: Executor,
  prompt: Omit<PromptRow, 'createdAt' | 'updatedAt'> & { audio: Uint8Array },
  now: Date,
): Promise<PromptRow> {
  const row = await db
    .insertInto('prompts')
    .values({
      tenant_id: prompt.tenantId,
      id: prompt.id,
      name: prompt.name,
      audio: prompt.audio,
      duration_ms: prompt.durationMs,
      source: JSON.stringify(prompt.source),
      source_sha256: prompt.sourceSha256,
      created_at: now,
      updated_at: now,
    })
    .onConflict((oc) =>
      oc.columns(['tenant_id', 'id']).doUpdateSet((eb) => ({
        name: eb.ref('excluded.name'),
        audio: eb.ref('excluded.audio'),
        duration_ms: eb.ref('excluded.duration_ms'),
        source: eb.ref('excluded.source'),
        source_sha256: eb.ref('excluded.source_sha256'),
        updated_at: eb.ref('excluded.updated_at'),
      })),
    )
    .returning(DESCRIPTION)
    .executeTakeFirstOrThrow();
  return toPrompt(row);
}

/** A prompt's description, or undefined. */
export async function findPrompt(db: Executor, tenantId: string, id: string): Promise<PromptRow | undefined> {
  const row = await db
    .selectFrom('prompts')
    .select(DESCRIPTION)
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .executeTakeFirst();
  return row && toPrompt(row);
}

/** A prompt's stored audio (8 kHz 16-bit mono PCM), or undefined. */
export async function findPromptAudio(
  db: Executor,
  tenantId: string,
  id: string,
): Promise<Uint8Array | undefined> {
  const row = await db
    .selectFrom('prompts')
    .select('audio')
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .executeTakeFirst();
  return row?.audio;
}

/** The current upload digest of each of these prompts the tenant has (for caches of their audio). */
export async function findPromptVersions(
  db: Executor,
  tenantId: string,
  ids: readonly string[],
): Promise<{ id: string; sha256: string }[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .selectFrom('prompts')
    .select(['id', 'source_sha256'])
    .where('tenant_id', '=', tenantId)
    .where('id', 'in', ids)
    .execute();
  return rows.map((row) => ({ id: row.id, sha256: row.source_sha256 }));
}

/** A page of a tenant's prompts in id order, after `afterId`. */
export async function listPrompts(
  db: Executor,
  tenantId: string,
  page: { limit: number; afterId?: string },
): Promise<PromptRow[]> {
  let query = db.selectFrom('prompts').select(DESCRIPTION).where('tenant_id', '=', tenantId);
  if (page.afterId !== undefined) query = query.where('id', '>', page.afterId);
  const rows = await query.orderBy('id').limit(page.limit).execute();
  return rows.map(toPrompt);
}

/** Deletes a prompt; false when there was none. */
export async function deletePrompt(db: Executor, tenantId: string, id: string): Promise<boolean> {
  const result = await db
    .deleteFrom('prompts')
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

function toPrompt(row: {
  tenant_id: string;
  id: string;
  name: string | null;
  duration_ms: number;
  source: Record<string, unknown>;
  source_sha256: string;
  created_at: Date;
  updated_at: Date;
}): PromptRow {
  return {
    tenantId: row.tenant_id,
    id: row.id,
    name: row.name,
    durationMs: row.duration_ms,
    source: row.source,
    sourceSha256: row.source_sha256,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
