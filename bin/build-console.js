// Builds the web console (console/, a Vite + Preact app on pconn/sdk) into dist/console, which
// the API serves at /console. Skipped when the sources are unchanged since the last build (their
// hash is kept beside the output), so `npm start` stays fast after the first run.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** Where the console's source lives. */
export const CONSOLE_SOURCE = join(ROOT, 'console');
/** Where its build goes (dist/ is ignored by git). */
export const CONSOLE_OUT = join(ROOT, 'dist', 'console');
const HASH_FILE = join(CONSOLE_OUT, '.source-hash');
// Everything the bundle is made of: the console, the SDK and contract it imports, the build.
const INPUTS = ['console', 'src/sdk', 'src/contract', 'bin/build-console.js', 'package-lock.json'];

function filesUnder(path) {
  const full = join(ROOT, path);
  if (!existsSync(full)) return [];
  if (statSync(full).isDirectory()) {
    return readdirSync(full, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => join(entry.parentPath, entry.name));
  }
  return [full];
}

/** A hash of every input file's path and bytes. */
export function consoleSourceHash() {
  const hash = createHash('sha256');
  for (const file of INPUTS.flatMap(filesUnder).sort()) {
    hash.update(relative(ROOT, file)).update('\0').update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex');
}

/** Builds the console unless its last build came from the same sources; answers whether it built. */
export async function buildConsole({ force = false } = {}) {
  const hash = consoleSourceHash();
  if (!force && existsSync(HASH_FILE) && readFileSync(HASH_FILE, 'utf8') === hash) return false;
  // Built beside and then renamed into place, so a server or a second build running at the same
  // time (two test files, a bench) never sees a half-written directory.
  const staging = `${CONSOLE_OUT}.${process.pid}.tmp`;
  const { build } = await import('vite');
  await build({
    root: CONSOLE_SOURCE,
    base: '/console/',
    configFile: false,
    logLevel: 'warn',
    publicDir: false,
    resolve: { alias: { 'pconn/sdk': join(ROOT, 'src/sdk/index.ts') } },
    oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
    build: {
      outDir: staging,
      emptyOutDir: true,
      manifest: true,
      target: 'es2022',
      // The polyfill would be one more script; every browser pconn supports preloads modules.
      modulePreload: { polyfill: false },
      sourcemap: false,
      reportCompressedSize: false,
    },
  });
  writeFileSync(join(staging, '.source-hash'), hash);
  // A build of the same sources finished meanwhile (another test file): keep it, untouched.
  if (existsSync(HASH_FILE) && readFileSync(HASH_FILE, 'utf8') === hash) {
    rmSync(staging, { recursive: true, force: true });
    return true;
  }
  rmSync(CONSOLE_OUT, { recursive: true, force: true });
  try {
    renameSync(staging, CONSOLE_OUT);
  } catch (error) {
    // Another build of the same sources got there first: keep its output.
    if (!existsSync(join(CONSOLE_OUT, 'index.html'))) throw error;
    rmSync(staging, { recursive: true, force: true });
  }
  return true;
}
