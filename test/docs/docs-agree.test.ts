import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { GENERATED_DOCS } from '../../scripts/docs/generated-docs.ts';
import { SETTINGS } from '../../src/config-settings.ts';
import { ERROR_CODES, FIELD_ERROR_CODES } from '../../src/domain/error-codes.ts';

/*
 * The docs and the code agree both ways: every code and setting the code has is documented,
 * everything documented exists, the generated references are what `npm run docs` writes now,
 * and every relative link in README.md and docs/ resolves.
 */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

/** Every .ts file under a folder of the repo, as [path relative to the root, text]. */
function sources(folder: string): Array<[string, string]> {
  return readdirSync(join(ROOT, folder), { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.ts'))
    .map((name) => {
      const path = join(folder, name).split(sep).join('/');
      return [path, read(path)];
    });
}

/** The backticked names in the first column of the tables of one `## section` of a page. */
function firstColumn(markdown: string, heading: string): string[] {
  const start = markdown.indexOf(`\n## ${heading}\n`);
  assert.ok(start >= 0, `no '## ${heading}' section`);
  const end = markdown.indexOf('\n## ', start + 1);
  const section = markdown.slice(start, end < 0 ? undefined : end);
  return [...section.matchAll(/^\| `([^`]+)` \|/gm)].map((m) => m[1] ?? '');
}

/** Every variable name documented in docs/configuration.md (first column of every table). */
function documentedSettings(): string[] {
  return [...read('docs/configuration.md').matchAll(/^\| `([A-Z][A-Z0-9_]*)` \|/gm)].map((m) => m[1] ?? '');
}

const sorted = (names: Iterable<string>) => [...new Set(names)].sort();

describe('docs/errors.md and the error codes agree', () => {
  const errors = read('docs/errors.md');

  test('every problem code in the code is documented, and every documented one exists', () => {
    assert.deepEqual(sorted(firstColumn(errors, 'Problem codes')), sorted(ERROR_CODES));
  });

  test('every field error code is documented, and every documented one exists', () => {
    assert.deepEqual(sorted(firstColumn(errors, 'Field error codes')), sorted(FIELD_ERROR_CODES));
  });
});

describe('docs/configuration.md and the settings agree', () => {
  const documented = new Set(documentedSettings());
  // config-settings.ts is the table itself: a name there proves nothing about being read.
  const code = sources('src').filter(([path]) => path !== 'src/config-settings.ts');

  test('every variable src/config.ts reads is documented', () => {
    const text = read('src/config.ts');
    const read_ = new Set([
      ...[...text.matchAll(/\benv\.([A-Z][A-Z0-9_]*[A-Z0-9])\b/g)].map((m) => m[1] ?? ''),
      ...[...text.matchAll(/'([A-Z][A-Z0-9]*_[A-Z0-9_]*[A-Z0-9]|HOST|PORT)'/g)].map((m) => m[1] ?? ''),
    ]);
    assert.ok(read_.size > 40, `only ${read_.size} variables found in src/config.ts: the scan is broken`);
    const missing = [...read_].filter((name) => !documented.has(name));
    assert.deepEqual(missing, [], 'read by src/config.ts but not in docs/configuration.md');
  });

  test('every PCONN_* variable named anywhere in src/ is documented', () => {
    const named = code.flatMap(([path, text]) =>
      [...text.matchAll(/\bPCONN_[A-Z0-9_]*[A-Z0-9]\b/g)].map((m) => ({ path, name: m[0] })),
    );
    const missing = named
      .filter(({ name }) => !documented.has(name))
      .map(({ path, name }) => `${name} (${path})`);
    assert.deepEqual(sorted(missing), [], 'named in src/ but not in docs/configuration.md');
  });

  test('every documented variable is read by the code (none is left over)', () => {
    const all = code.map(([, text]) => text).join('\n');
    const unread = [...documented].filter((name) => !new RegExp(`\\b${name}\\b`).test(all));
    assert.deepEqual(unread, [], 'documented in docs/configuration.md but read nowhere in src/');
  });

  test('the settings table and the page list the same variables', () => {
    assert.deepEqual(sorted(documented), sorted(Object.keys(SETTINGS)));
  });
});

describe('generated references are current', () => {
  for (const [path, render] of Object.entries(GENERATED_DOCS)) {
    test(`${path} is what npm run docs writes now`, () => {
      assert.ok(existsSync(join(ROOT, path)), `${path} is missing: run npm run docs`);
      assert.equal(read(path), render(), `${path} is stale: run npm run docs`);
    });
  }
});

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
function anchorOf(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');
}

/** The anchors of a markdown page (its headings'; a repeated heading gets -1, -2, …). */
function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const result = new Set<string>();
  const withoutCode = markdown.replace(/^```[\s\S]*?^```/gm, '');
  for (const match of withoutCode.matchAll(/^#{1,6} (.+)$/gm)) {
    const base = anchorOf(match[1] ?? '');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    result.add(n === 0 ? base : `${base}-${n}`);
  }
  return result;
}

describe('relative links resolve', () => {
  const pages = [
    'README.md',
    ...readdirSync(join(ROOT, 'docs'))
      .filter((f) => f.endsWith('.md'))
      .map((f) => `docs/${f}`),
  ];

  test('README.md and docs/ have pages to check', () => {
    for (const page of ['docs/api-contract.md', 'docs/errors.md', 'docs/configuration.md']) {
      assert.ok(pages.includes(page), `${page} is missing`);
    }
  });

  for (const page of pages) {
    test(`every relative link in ${page} resolves`, () => {
      const markdown = read(page).replace(/^```[\s\S]*?^```/gm, '');
      const broken: string[] = [];
      for (const match of markdown.matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = match[1] ?? '';
        if (/^[a-z]+:/i.test(target)) continue; // http:, https:, mailto:
        const [file = '', anchor] = target.split('#');
        const path = file === '' ? page : relative(ROOT, join(ROOT, dirname(page), file));
        if (!existsSync(join(ROOT, path))) {
          broken.push(`${target} (no ${path})`);
          continue;
        }
        if (anchor && path.endsWith('.md') && !anchors(read(path)).has(anchor)) {
          broken.push(`${target} (no heading #${anchor} in ${path})`);
        }
      }
      assert.deepEqual(broken, [], `broken links in ${page}`);
    });
  }
});
