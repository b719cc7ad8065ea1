import { sql } from 'kysely';
import type { Executor } from './database.ts';

/** A signed-in console browser, as stored. */
export interface ConsoleSessionRow {
  id: string;
  tenantId: string;
  userId: string;
  role: string;
  createdAt: Date;
  expiresAt: Date;
  endedAt: Date | null;
}

/** Records a new console session; the cookie secret arrives hashed. */
export async function insertConsoleSession(
  db: Executor,
  session: Omit<ConsoleSessionRow, 'endedAt'> & { secretHash: string },
): Promise<void> {
  await db
    .insertInto('console_sessions')
    .values({
      id: session.id,
      secret_hash: session.secretHash,
      tenant_id: session.tenantId,
      user_id: session.userId,
      role: session.role,
      created_at: session.createdAt,
      expires_at: session.expiresAt,
      ended_at: null,
    })
    .execute();
}

/** The session whose cookie secret hashes to `secretHash`, live or not. */
export async function findConsoleSessionBySecret(
  db: Executor,
  secretHash: string,
): Promise<ConsoleSessionRow | undefined> {
  const row = await db
    .selectFrom('console_sessions')
    .selectAll()
    .where('secret_hash', '=', secretHash)
    .executeTakeFirst();
  return row && toSession(row);
}

/** A session by id, live or not (token verification checks it is still live). */
export async function findConsoleSession(db: Executor, id: string): Promise<ConsoleSessionRow | undefined> {
  const row = await db.selectFrom('console_sessions').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toSession(row);
}

/** Ends one session (sign-out). True when it was live. */
export async function endConsoleSession(db: Executor, id: string, now: Date): Promise<boolean> {
  const result = await db
    .updateTable('console_sessions')
    .set({ ended_at: now })
    .where('id', '=', id)
    .where('ended_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Ends every live session of a user (password changed, user disabled). */
export async function endUserConsoleSessions(
  db: Executor,
  tenantId: string,
  userId: string,
  now: Date,
): Promise<number> {
  const result = await db
    .updateTable('console_sessions')
    .set({ ended_at: now })
    .where('tenant_id', '=', tenantId)
    .where('user_id', '=', userId)
    .where('ended_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** Deletes sessions that expired or ended before `before` (housekeeping). */
export async function pruneConsoleSessions(db: Executor, before: Date): Promise<number> {
  const result = await db
    .deleteFrom('console_sessions')
    .where((eb) => eb.or([eb('expires_at', '<', before), eb('ended_at', '<', before)]))
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

function toSession(row: {
  id: string;
  tenant_id: string;
  user_id: string;
  role: string;
  created_at: Date;
  expires_at: Date;
  ended_at: Date | null;
}): ConsoleSessionRow {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    userId: row.user_id,
    role: row.role,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    endedAt: row.ended_at,
  };
}

/** What token verification needs of a console session: whose it is, while it is live. */
export interface LiveConsoleSession {
  tenantId: string;
  userId: string;
}

/**
 * The session if it is live now: not ended, not expired, and its user still exists and is
 * active (disabling a user cuts their console at once, without a second write).
 */
export async function findLiveConsoleSession(
  db: Executor,
  id: string,
  now: Date,
): Promise<LiveConsoleSession | undefined> {
  const row = await db
    .selectFrom('console_sessions as s')
    .innerJoin('users as u', (join) =>
      join.onRef('u.tenant_id', '=', 's.tenant_id').onRef('u.id', '=', 's.user_id'),
    )
    .select(['s.tenant_id', 's.user_id'])
    .where('s.id', '=', id)
    .where('s.ended_at', 'is', null)
    .where('s.expires_at', '>', now)
    .where(sql<boolean>`u.data->>'status' = 'active'`)
    .executeTakeFirst();
  return row && { tenantId: row.tenant_id, userId: row.user_id };
}
