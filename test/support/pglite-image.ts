import { createHash } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MIGRATIONS } from '../../src/store/migrations/index.ts';
import { openStore } from '../../src/store/open-store.ts';

/**
 * A migrated PGlite data dir as a gzip tarball, built once per machine and migration set: a fresh
 * PGlite takes ~4 s to initialise, loading this image well under one. Each call returns its own
 * copy, because opening a store hands the bytes to the store's thread (they are transferred).
 */
export async function migratedPgliteImage(): Promise<Uint8Array> {
  // Keyed by every migration file's bytes, so a new or changed migration builds a new image.
  const hash = createHash('sha256').update(Object.keys(MIGRATIONS).join(','));
  for (const name of Object.keys(MIGRATIONS).sort()) {
    hash.update(await readFile(new URL(`../../src/store/migrations/${name}.ts`, import.meta.url)));
  }
  const key = hash.digest('hex').slice(0, 16);
  const path = join(tmpdir(), `pconn-pglite-${key}.tar.gz`);
  try {
    return new Uint8Array(await readFile(path));
  } catch {
    // not built yet
  }
  const store = await openStore({ kind: 'pglite' });
  const image = await store.dump?.();
  await store.close();
  if (!image) throw new Error('the embedded store offers no dump');
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, image);
  await rename(temporary, path);
  return new Uint8Array(await readFile(path));
}
