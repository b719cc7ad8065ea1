import { createHash } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Kysely } from 'kysely';
import { migrate } from '../../src/store/migrate.ts';
import { MIGRATIONS } from '../../src/store/migrations/index.ts';
import { PGliteDialect } from '../../src/store/pglite-dialect.ts';

/**
 * A migrated PGlite data dir as a tarball, built once per machine and migration set: a fresh
 * PGlite takes ~4 s to initialise, loading this image well under one.
 */
export async function migratedPgliteImage(): Promise<Blob> {
  // Keyed by every migration file's bytes, so a new or changed migration builds a new image.
  const hash = createHash('sha256').update(Object.keys(MIGRATIONS).join(','));
  for (const name of Object.keys(MIGRATIONS).sort()) {
    hash.update(await readFile(new URL(`../../src/store/migrations/${name}.ts`, import.meta.url)));
  }
  const key = hash.digest('hex').slice(0, 16);
  const path = join(tmpdir(), `pconn-pglite-${key}.tar.gz`);
  try {
    return new Blob([await readFile(path)]);
  } catch {
    // not built yet
  }
  const pglite = await PGlite.create();
  const db = new Kysely<unknown>({ dialect: new PGliteDialect({ pglite }) });
  await migrate(db);
  const image = await pglite.dumpDataDir('gzip');
  await db.destroy();
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, Buffer.from(await image.arrayBuffer()));
  await rename(temporary, path);
  return image;
}
