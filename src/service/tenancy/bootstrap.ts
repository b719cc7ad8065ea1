import { SCOPES } from '../../domain/scopes.ts';
import { findClient } from '../../store/clients.ts';
import { upsertConsolePassword } from '../../store/console-passwords.ts';
import type { Db } from '../../store/database.ts';
import { ResourceRepository } from '../../store/resources.ts';
import { countTenants, insertTenant } from '../../store/tenants.ts';
import { createClient } from '../auth/clients.ts';
import { hashSecret, newSecret } from '../auth/secret-hash.ts';
import type { StoredUser } from '../resources/users.ts';
import { DEFAULT_PHONE_TYPES } from './tenants.ts';

/** The console user every new store starts with. */
export const CONSOLE_ADMIN_ID = 'admin';

/** The outcome of bootstrapping: the admin client, with its secret when it was generated. */
export interface BootstrapResult {
  clientId: string;
  /** Set only when pconn generated the secret now: print it once. */
  generatedSecret?: string;
  created: boolean;
  /** The console user `admin` created now, with its password when pconn generated it. */
  consoleAdmin?: { userId: string; generatedPassword?: string };
}

/**
 * On an empty store creates tenant `default` and an admin client holding every scope plus
 * `system`. A preset client id/secret (automation, tests) is created if it does not exist yet.
 */
export async function bootstrap(
  db: Db,
  preset: { clientId?: string; clientSecret?: string; consolePassword?: string },
  now: Date,
): Promise<BootstrapResult | undefined> {
  const empty = (await countTenants(db)) === 0;
  if (empty) {
    await insertTenant(db, {
      id: 'default',
      name: 'Default tenant',
      defaultRegion: 'US',
      phoneTypes: DEFAULT_PHONE_TYPES,
    });
  }
  const consoleAdmin = empty ? await createConsoleAdmin(db, preset.consolePassword, now) : undefined;
  const result = await bootstrapClient(db, preset, empty);
  return result && { ...result, ...(consoleAdmin ? { consoleAdmin } : {}) };
}

/**
 * The console user `admin` (role admin, no device) of a new store, with the preset password or
 * a generated one, shown once next to the client secret.
 */
async function createConsoleAdmin(
  db: Db,
  presetPassword: string | undefined,
  now: Date,
): Promise<{ userId: string; generatedPassword?: string }> {
  const password = presetPassword ?? newSecret().slice(0, 24);
  const hash = await hashSecret(password);
  await db.transaction().execute(async (tx) => {
    const user: StoredUser = {
      name: 'Administrator',
      status: 'active',
      role: 'admin',
      device: null,
      email: null,
      hasConsolePassword: true,
    };
    await new ResourceRepository<StoredUser>('users').insert(tx, 'default', CONSOLE_ADMIN_ID, user);
    await upsertConsolePassword(tx, { tenantId: 'default', userId: CONSOLE_ADMIN_ID, hash }, now);
  });
  return { userId: CONSOLE_ADMIN_ID, ...(presetPassword ? {} : { generatedPassword: password }) };
}

async function bootstrapClient(
  db: Db,
  preset: { clientId?: string; clientSecret?: string },
  empty: boolean,
): Promise<BootstrapResult | undefined> {
  if (preset.clientId && preset.clientSecret) {
    if (await findClient(db, preset.clientId)) return { clientId: preset.clientId, created: false };
    await createClient(
      db,
      { tenantId: 'default', name: 'bootstrap admin', scopes: [...SCOPES], ...preset },
      new Set(SCOPES),
    );
    return { clientId: preset.clientId, created: true };
  }
  if (!empty) return undefined;
  const client = await createClient(
    db,
    { tenantId: 'default', name: 'bootstrap admin', scopes: [...SCOPES] },
    new Set(SCOPES),
  );
  return { clientId: client.clientId, generatedSecret: client.clientSecret, created: true };
}
