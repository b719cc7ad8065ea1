import { createHash } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PGliteDialect } from 'kysely';
import { migrate } from '../../src/store/migrate.ts';
import { MIGRATIONS } from '../../src/store/migrations/index.ts';

/**
 * A migrated PGlite data dir as a tarball, built once per machine and migration set: a fresh
 * PGlite takes ~4 s to initialise, loading this image well under one.
 */
export async function migratedPgliteImage(): Promise<Blob> {
  const key = createHash('sha256')
    .update(Object.keys(MIGRATIONS).join(','))
    .update(await readFile(new URL('../../src/store/migrations/0001-initial.ts', import.meta.url)))
    .update(await readFile(new URL('../../src/store/migrations/0002-calls.ts', import.meta.url)))
    .digest('hex')
    .slice(0, 16);
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
