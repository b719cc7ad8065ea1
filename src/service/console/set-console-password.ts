import { NotFoundError } from '../../domain/pconn-error.ts';
import type { RequestContext } from '../../domain/request-context.ts';
import { upsertConsolePassword } from '../../store/console-passwords.ts';
import { endUserConsoleSessions } from '../../store/console-sessions.ts';
import type { Db } from '../../store/database.ts';
import { ResourceRepository } from '../../store/resources.ts';
import { hashSecret } from '../auth/secret-hash.ts';
import type { StoredUser } from '../resources/users.ts';

const users = new ResourceRepository<StoredUser>('users');

/**
 * Gives a user a console password (or replaces it). Only the scrypt hash is kept, apart from
 * the user document; the user's open console sessions end, so a password changed because it
 * leaked also signs out whoever used it (their tokens stop within seconds on every node).
 */
export async function setConsolePassword(
  db: Db,
  ctx: RequestContext,
  userId: string,
  password: string,
): Promise<{ endedSessions: number }> {
  // scrypt (~25 ms) before the transaction, so no row lock waits on it.
  const hash = await hashSecret(password);
  return db.transaction().execute(async (tx) => {
    const user = await users.findForUpdate(tx, ctx.tenant.id, userId);
    if (!user) throw new NotFoundError('user', userId);
    await upsertConsolePassword(tx, { tenantId: ctx.tenant.id, userId, hash }, ctx.now);
    if (!user.data.hasConsolePassword)
      await users.update(tx, ctx.tenant.id, userId, { ...user.data, hasConsolePassword: true }, ctx.now);
    return { endedSessions: await endUserConsoleSessions(tx, ctx.tenant.id, userId, ctx.now) };
  });
}
