import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, posix, sep } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

/*
 * Enforces the layout of /work/shared/DESIGN.md ("Layout and dependency direction"): which layer
 * may import which, kebab-case names, file size, and a TSDoc comment on every export. Every
 * failure prints the offending files so it can be fixed without rerunning anything.
 */

const SRC = fileURLToPath(new URL('../src/', import.meta.url));

/** One relative import found in a source file. */
interface ImportEdge {
  file: string;
  line: number;
  specifier: string;
  /** Path of the imported module relative to src/ (posix), or `../…` when outside src/. */
  target: string;
  /** `import type` / `export type … from`: erased at runtime. */
  typeOnly: boolean;
}

const files = readdirSync(SRC, { recursive: true, encoding: 'utf8' })
  .filter((name) => name.endsWith('.ts'))
  .map((name) => name.split(sep).join('/'))
  .sort();
const sources = new Map(files.map((file) => [file, readFileSync(join(SRC, file), 'utf8')]));

// `import x from '…'`, `import { a,\n b } from '…'`, `import type …`, `export * from '…'`,
// `export { a } from '…'`, side-effect `import '…'`. The clause may only hold what an import
// clause can (identifiers, braces, commas, `*`), so `export type A = { … }` is never mistaken
// for one. `import { type A }` counts as a runtime import: under verbatimModuleSyntax the
// module is still loaded.
const STATIC_IMPORT = /^[ \t]*(import|export)\s+(type\s+)?(?:[\w\s{},*$]*?\bfrom\s*)?['"]([^'"]+)['"]/gm;
const DYNAMIC_IMPORT = /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;

/** The relative imports of one file's text. */
function parseImports(file: string, text: string): ImportEdge[] {
  const edges: ImportEdge[] = [];
  const add = (index: number, specifier: string, typeOnly: boolean) => {
    if (!specifier.startsWith('.')) return;
    edges.push({
      file,
      line: text.slice(0, index).split('\n').length,
      specifier,
      target: posix.normalize(posix.join(posix.dirname(file), specifier)),
      typeOnly,
    });
  };
  for (const match of text.matchAll(STATIC_IMPORT)) add(match.index, match[3] ?? '', match[2] !== undefined);
  for (const match of text.matchAll(DYNAMIC_IMPORT)) add(match.index, match[1] ?? '', false);
  return edges;
}

/** The layer of a path relative to src/: `telephony/sip`, `api`, `main.ts`, … */
function layerOf(path: string): string {
  if (path.startsWith('../')) return 'outside-src';
  if (path.startsWith('telephony/sip/')) return 'telephony/sip';
  const [first, ...rest] = path.split('/');
  return rest.length === 0 ? (first ?? path) : (first ?? '');
}

const edges = [...sources].flatMap(([file, text]) => parseImports(file, text));

/** A dependency rule of one layer: an allow-list, a deny-list, or layers reachable by types only. */
interface LayerRule {
  layer: string;
  why: string;
  /** Only these layers may be imported (the layer itself always may). */
  only?: string[];
  /** These layers may never be imported. */
  never?: string[];
  /** These layers may be imported with `import type` only. */
  typesOnly?: string[];
  /** Narrow exceptions: a file (relative to src/) may import targets under the given prefixes. */
  exceptions?: Array<{ file: string; targets: string[]; why: string }>;
}

const RULES: LayerRule[] = [
  { layer: 'domain', only: [], why: 'domain imports nothing of ours (not even contract)' },
  { layer: 'contract', only: [], why: 'contract imports nothing of ours (not even domain)' },
  { layer: 'telephony/sip', only: [], why: 'the SIP stack knows nothing of pconn' },
  { layer: 'store', only: ['domain', 'contract'], why: 'store imports domain (and contract)' },
  {
    layer: 'service',
    never: ['api', 'dialer', 'telephony', 'telephony/sip', 'cli'],
    why: 'use cases know nothing of HTTP, the dialer, telephony or the CLI',
  },
  {
    layer: 'api',
    never: ['dialer', 'telephony', 'telephony/sip'],
    typesOnly: ['store'],
    why: 'api goes through service for data; it may name store types (Db, rows) with import type only',
  },
  {
    layer: 'dialer',
    never: ['telephony', 'telephony/sip', 'api', 'cli'],
    why: 'the dialer uses telephony only through the domain port',
  },
  { layer: 'sdk', only: ['contract'], why: 'the published SDK depends on the wire contract only' },
  {
    layer: 'cli',
    only: ['sdk', 'contract', 'config.ts'],
    why: 'remote commands go through the SDK',
    // `pconn doctor` also runs on the server's host and checks what no API can answer: whether
    // the database has this build's migrations, and whether a trunk answers SIP OPTIONS from
    // here. Only these two files, and only the migration list and the SIP message codec.
    exceptions: [
      {
        file: 'cli/doctor/local-database.ts',
        targets: ['store/migrations/'],
        why: 'compares applied migrations with the shipped list',
      },
      {
        file: 'cli/doctor/sip-options-probe.ts',
        targets: ['telephony/sip/message/'],
        why: 'builds and parses one SIP OPTIONS',
      },
    ],
  },
];

function violations(rule: LayerRule): string[] {
  return edges
    .filter((edge) => layerOf(edge.file) === rule.layer)
    .flatMap((edge) => {
      const to = layerOf(edge.target);
      if (to === rule.layer) return [];
      const excepted = rule.exceptions?.some(
        (e) => e.file === edge.file && e.targets.some((target) => edge.target.startsWith(target)),
      );
      if (excepted) return [];
      const where = `src/${edge.file}:${edge.line} imports '${edge.specifier}' (${to})`;
      if (rule.only && !rule.only.includes(to)) return [where];
      if (rule.never?.includes(to)) return [where];
      if (rule.typesOnly?.includes(to) && !edge.typeOnly) return [`${where} without 'import type'`];
      return [];
    });
}

describe('import direction (DESIGN.md)', () => {
  test('the import parser sees every form of relative import', () => {
    const sample = [
      "import { a } from './a.ts';",
      'import {',
      '  b,',
      '  type C,',
      "} from '../b.ts';",
      "import type { D } from './d.ts';",
      "export * from './e.ts';",
      "export type { F } from './f.ts';",
      "import './g.ts';",
      "const h = await import('./h.ts');",
      "import { z } from 'zod';",
      'export type Shape = { kind: string };',
      "export const note = 'from nowhere';",
    ].join('\n');
    const found = parseImports('x/y.ts', sample).map((e) => `${e.target}${e.typeOnly ? ' (type)' : ''}`);
    assert.deepEqual(found.sort(), [
      'b.ts',
      'x/a.ts',
      'x/d.ts (type)',
      'x/e.ts',
      'x/f.ts (type)',
      'x/g.ts',
      'x/h.ts',
    ]);
    assert.ok(edges.length > 100, `only ${edges.length} relative imports found in src/`);
    assert.ok(
      edges.some((e) => e.typeOnly),
      'no type-only import found: parser is broken',
    );
  });

  for (const rule of RULES) {
    test(`${rule.layer}: ${rule.why}`, () => {
      const offenders = violations(rule);
      assert.deepEqual(offenders, [], `${rule.layer} breaks the layering:\n  ${offenders.join('\n  ')}`);
    });
  }
});

describe('files', () => {
  test('file and folder names are kebab-case', () => {
    const offenders = files.filter((file) => {
      const parts = file.split('/');
      const name = parts.pop() ?? '';
      return (
        !/^[a-z0-9]+(-[a-z0-9]+)*\.ts$/.test(name) ||
        parts.some((dir) => !/^[a-z0-9]+(-[a-z0-9]+)*$/.test(dir))
      );
    });
    assert.deepEqual(offenders, [], `not kebab-case:\n  ${offenders.join('\n  ')}`);
  });

  test('no file is over 400 lines (split it)', () => {
    const offenders = [...sources]
      .map(([file, text]) => ({ file, lines: text.split('\n').length - (text.endsWith('\n') ? 1 : 0) }))
      .filter(({ lines }) => lines > 400)
      .map(({ file, lines }) => `src/${file}: ${lines} lines`);
    assert.deepEqual(offenders, [], `too long:\n  ${offenders.join('\n  ')}`);
  });

  test('every exported declaration has a TSDoc comment directly above it', () => {
    const EXPORTED =
      /^export\s+(default\s+)?(declare\s+)?(abstract\s+)?(async\s+)?(function\*?|class|const|let|var|interface|type|enum)\b/;
    const offenders: string[] = [];
    for (const [file, text] of sources) {
      const lines = text.split('\n');
      lines.forEach((line, index) => {
        if (!EXPORTED.test(line)) return;
        if (!hasTsDocAbove(lines, index)) offenders.push(`src/${file}:${index + 1}: ${line.slice(0, 90)}`);
      });
    }
    assert.deepEqual(offenders, [], `exports without /** … */ directly above:\n  ${offenders.join('\n  ')}`);
  });
});

/** True when the line above `index` closes a comment block that opened with `/**`. */
function hasTsDocAbove(lines: string[], index: number): boolean {
  let cursor = index - 1;
  if (!(lines[cursor] ?? '').trim().endsWith('*/')) return false;
  while (cursor >= 0 && !(lines[cursor] ?? '').includes('/*')) cursor--;
  return (lines[cursor] ?? '').trim().startsWith('/**');
}
