/**
 * `npm run docs`: writes the generated references — docs/errors.md from the error code table and
 * docs/configuration.md from the settings table — so they always say what the code does.
 * `npm run docs -- --check` writes nothing and exits 1 when a file is stale (CI).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { GENERATED_DOCS } from './docs/generated-docs.ts';

const root = fileURLToPath(new URL('../', import.meta.url));
const check = process.argv.includes('--check');
let stale = 0;
for (const [path, render] of Object.entries(GENERATED_DOCS)) {
  const file = `${root}${path}`;
  const wanted = render();
  let current = '';
  try {
    current = readFileSync(file, 'utf8');
  } catch {
    // Missing: written below, or reported as stale with --check.
  }
  if (current === wanted) continue;
  if (check) {
    stale++;
    process.stderr.write(`${path} is stale: run npm run docs\n`);
  } else {
    writeFileSync(file, wanted);
    process.stdout.write(`wrote ${path}\n`);
  }
}
process.exitCode = stale > 0 ? 1 : 0;
