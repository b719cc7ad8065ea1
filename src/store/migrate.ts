import { type Kysely, Migrator } from 'kysely';
import { UnavailableError } from '../domain/pconn-error.ts';
import { MIGRATIONS } from './migrations/index.ts';

/** pconn's migrations over `db`, kept in pconn's own tables (a test may stop at one of them). */
export function pconnMigrator(db: Kysely<unknown>): Migrator {
  return new Migrator({
    db,
    provider: { getMigrations: async () => MIGRATIONS },
    migrationTableName: 'pconn_migrations',
    migrationLockTableName: 'pconn_migrations_lock',
  });
}

/** Applies every pending migration; throws `unavailable` with the failing migration's name. */
export async function migrate(db: Kysely<unknown>): Promise<string[]> {
  const { error, results } = await pconnMigrator(db).migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new UnavailableError('unavailable', `Database migration ${failed} failed.`, { cause: error });
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
