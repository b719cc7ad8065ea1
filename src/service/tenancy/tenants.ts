import type { Clock } from '../../domain/clock.ts';
import { newId } from '../../domain/ids.ts';
import { ConflictError, NotFoundError } from '../../domain/pconn-error.ts';
import type { TenantSettings } from '../../domain/request-context.ts';
import type { Executor } from '../../store/database.ts';
import { findTenant, insertTenant, type TenantRow, updatePhoneTypes } from '../../store/tenants.ts';

/** Phone types a new tenant starts with. */
export const DEFAULT_PHONE_TYPES = ['mobile', 'home', 'work', 'other'];

/** Creates a tenant (scope `system`). */
export async function createTenant(
  db: Executor,
  input: { name: string; id?: string; defaultRegion?: string; phoneTypes?: string[] },
): Promise<TenantRow> {
  const id = input.id ?? newId('tenant');
  const inserted = await insertTenant(db, {
    id,
    name: input.name,
    defaultRegion: input.defaultRegion ?? 'US',
    phoneTypes: input.phoneTypes ?? DEFAULT_PHONE_TYPES,
  });
  if (!inserted) {
    throw new ConflictError('conflict', `A tenant with id '${id}' already exists.`, { pointer: '/id' });
  }
  const tenant = await findTenant(db, id);
  if (!tenant) throw new NotFoundError('tenant', id);
  return tenant;
}

const SETTINGS_TTL_MS = 5000;

/**
 * Tenant settings read on every request, cached for a few seconds: a change made on another
 * node is seen within SETTINGS_TTL_MS; a change made here is seen at once (invalidate).
 */
export class TenantSettingsCache {
  private readonly entries = new Map<string, { settings: TenantSettings; loadedAt: number }>();

  constructor(
    private readonly db: Executor,
    private readonly clock: Clock,
  ) {}

  /** The tenant's settings, or undefined when the tenant does not exist. */
  async get(tenantId: string): Promise<TenantSettings | undefined> {
    const fresh = this.cached(tenantId);
    if (fresh) return fresh;
    const tenant = await findTenant(this.db, tenantId);
    if (!tenant) return undefined;
    const settings = { id: tenant.id, defaultRegion: tenant.defaultRegion, phoneTypes: tenant.phoneTypes };
    this.entries.set(tenantId, { settings, loadedAt: this.clock.now().getTime() });
    return settings;
  }

  /**
   * The tenant's settings when they are cached and fresh, else undefined (then `get` reads
   * them): lets the per-request path answer without a promise.
   */
  cached(tenantId: string): TenantSettings | undefined {
    const entry = this.entries.get(tenantId);
    if (entry && this.clock.now().getTime() - entry.loadedAt < SETTINGS_TTL_MS) return entry.settings;
    return undefined;
  }

  /** Forgets a tenant's cached settings. */
  invalidate(tenantId: string): void {
    this.entries.delete(tenantId);
  }

  /** Replaces the tenant's phone types. */
  async setPhoneTypes(tenantId: string, phoneTypes: string[]): Promise<void> {
    await updatePhoneTypes(this.db, tenantId, phoneTypes);
    this.invalidate(tenantId);
  }
}
