import { SCOPES } from '../../domain/scopes.ts';
import { findClient } from '../../store/clients.ts';
import type { Db } from '../../store/database.ts';
import { countTenants, insertTenant } from '../../store/tenants.ts';
import { createClient } from '../auth/clients.ts';
import { DEFAULT_PHONE_TYPES } from './tenants.ts';

/** The outcome of bootstrapping: the admin client, with its secret when it was generated. */
export interface BootstrapResult {
  clientId: string;
  /** Set only when pconn generated the secret now: print it once. */
  generatedSecret?: string;
  created: boolean;
}

/**
 * On an empty store creates tenant `default` and an admin client holding every scope plus
 * `system`. A preset client id/secret (automation, tests) is created if it does not exist yet.
 */
export async function bootstrap(
  db: Db,
  preset: { clientId?: string; clientSecret?: string },
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
