import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, posix, sep } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

/*
 * Enforces the layout of /work/shared/DESIGN.md ("Layout and dependency direction"): which layer
 * may import which of our layers, npm packages and node: builtins (an allow-list per layer, so a
 * new folder or package must be placed here deliberately), time read through the Clock port,
 * kebab-case names, file size, and a TSDoc comment on every export. Every failure prints the
 * offending files so it can be fixed without rerunning anything.
 */

const SRC = fileURLToPath(new URL('../src/', import.meta.url));
const PACKAGE_JSON = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  dependencies: Record<string, string>;
};

/** One import found in a source file: of ours (relative), an npm package or a node: builtin. */
interface ImportEdge {
  file: string;
  line: number;
  specifier: string;
  /**
   * Relative imports: the imported path relative to src/ (posix), `../…` when outside src/.
   * Packages: `npm:<name>` (scope kept, subpath dropped). Builtins: `node:<name>`.
   */
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

/** Where a specifier points: a src/-relative path, `npm:<package>` or `node:<builtin>`. */
function targetOf(file: string, specifier: string): string {
  if (specifier.startsWith('.')) return posix.normalize(posix.join(posix.dirname(file), specifier));
  if (specifier.startsWith('node:')) return `node:${specifier.slice(5).split('/')[0]}`;
  // A builtin without the prefix is reported as a package of that name, which no layer lists.
  const parts = specifier.split('/');
  return `npm:${specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]}`;
}

/** The imports of one file's text. */
function parseImports(file: string, text: string): ImportEdge[] {
  const edges: ImportEdge[] = [];
  const add = (index: number, specifier: string, typeOnly: boolean) => {
    edges.push({
      file,
      line: text.slice(0, index).split('\n').length,
      specifier,
      target: targetOf(file, specifier),
      typeOnly,
    });
  };
  for (const match of text.matchAll(STATIC_IMPORT)) add(match.index, match[3] ?? '', match[2] !== undefined);
  for (const match of text.matchAll(DYNAMIC_IMPORT)) add(match.index, match[1] ?? '', false);
  return edges;
}

// telephony/ holds a library (sip/, like rtp/ would be) and the adapters that implement the
// domain Telephony port (sip-driver, sandbox): different rules, so different layers. Any other
// folder under telephony/ is a layer of its own that no rule knows, until one is written.
const TELEPHONY_ADAPTERS = ['telephony/sandbox/', 'telephony/sip-driver/', 'telephony/sip-driver.ts'];

/** The layer of a path relative to src/: `telephony/sip`, `api`, `main.ts`, … */
function layerOf(path: string): string {
  if (path.startsWith('../')) return 'outside-src';
  if (TELEPHONY_ADAPTERS.some((prefix) => path === prefix || path.startsWith(prefix))) return 'telephony';
  const [first = '', second, ...rest] = path.split('/');
  if (first === 'telephony' && second !== undefined && rest.length > 0) return `telephony/${second}`;
  return second === undefined ? first : first;
}

const edges = [...sources].flatMap(([file, text]) => parseImports(file, text));
const isOurs = (edge: ImportEdge) => !edge.target.startsWith('npm:') && !edge.target.startsWith('node:');

/** The allow-list of one layer: what it may import besides itself. Everything else fails. */
interface LayerRule {
  layer: string;
  why: string;
  /** Layers of ours it may import at runtime; `*`: any. */
  layers: string[] | '*';
  /** Layers of ours it may import with `import type` only (erased at runtime). */
  typesOnly?: string[];
  /** npm packages it may import at runtime. */
  packages: string[];
  /** npm packages it may import with `import type` only. */
  typePackages?: string[];
  /** node: builtins it may import (without the prefix); `*`: any. */
  builtins: string[] | '*';
  /**
   * Narrow exceptions: a file (relative to src/) may import targets starting with these
   * prefixes (src/-relative paths, or `npm:<package>`).
   */
  exceptions?: Array<{ file: string; targets: string[]; why: string }>;
}

const RULES: LayerRule[] = [
  {
    layer: 'domain',
    why: 'pure types, rules and ports: nothing of ours, no I/O; numbers and zones need their data',
    layers: [],
    packages: ['countries-and-timezones', 'libphonenumber-js'],
    // random ids and the random pool; isIP/BlockList for the address rules (pure, no I/O)
    builtins: ['crypto', 'net'],
    exceptions: [
      {
        file: 'domain/telephony.ts',
        targets: ['media/answer-detection-result.ts', 'media/answer-detection-settings.ts'],
        why: 'the Telephony port names answer detection’s settings and verdict (types only)',
      },
    ],
  },
  {
    layer: 'contract',
    why: 'wire schemas shared by api and the published sdk: nothing of ours (not even domain)',
    layers: [],
    packages: ['@sinclair/typebox'],
    builtins: ['crypto'], // the audit chain hash, verified by the SDK with the same code
  },
  {
    layer: 'telephony/sip',
    why: 'the SIP stack is a library that knows nothing of pconn: sockets and hashes only',
    layers: [],
    packages: [],
    builtins: ['crypto', 'dgram', 'net', 'os', 'tls'],
  },
  {
    layer: 'telephony/rtp',
    why: 'the RTP/RTCP stack is a library like sip/: it knows nothing of pconn, only media/’s pure G.711',
    layers: ['media'],
    packages: [],
    builtins: ['crypto', 'dgram'],
  },
  {
    layer: 'media',
    why: 'pure signal code (codecs, tones, answer detection): no I/O, nothing of ours (DESIGN.md; none yet)',
    layers: [],
    packages: [],
    builtins: [],
  },
  {
    layer: 'store',
    why: 'store imports domain only: SQL and migrations, no use cases, no wire shapes',
    layers: ['domain'],
    packages: ['kysely', 'pg', '@electric-sql/pglite'],
    typePackages: ['pino'],
    // the PGlite data directory; a fresh one is created by a short-lived child process (initdb's
    // WebAssembly instance would otherwise stay resident: docs/performance.md "Memory")
    // … and PGlite's own thread (the embedded store runs off the node's thread: issue 15)
    builtins: ['fs', 'child_process', 'path', 'util', 'worker_threads'],
    exceptions: [
      {
        file: 'store/script-worker.ts',
        targets: ['npm:tsx'],
        why: "the worker's bootstrap when the sources run under tsx: a worker thread does not inherit tsx's loader on Node 20",
      },
      {
        file: 'store/audit-events.ts',
        targets: ['contract/audit-chain.ts'],
        why: 'entries are chained with the very hash function the SDK verifies them with',
      },
    ],
  },
  {
    layer: 'service',
    why: 'use cases import domain, store and events (and name wire types; decode uploaded audio with media/); never HTTP, dialer or SIP',
    layers: ['domain', 'store', 'events', 'contract', 'media'],
    packages: ['csv-parse', 'jose'],
    typePackages: ['pino'],
    builtins: ['crypto', 'net', 'readline', 'stream'],
    exceptions: [
      {
        file: 'service/calls/resolve-caller-id.ts',
        targets: ['npm:kysely'],
        why: 'known debt (lead area): its SQL fragment belongs in a store file',
      },
    ],
  },
  {
    layer: 'events',
    why: 'outbox relay, webhooks and SSE read the outbox through store; service emits into events, so events never imports service',
    layers: ['domain', 'store'],
    typesOnly: ['contract'],
    packages: ['standardwebhooks'],
    typePackages: ['pino', 'kysely'],
    builtins: ['crypto', 'dns', 'http', 'https', 'net'], // webhook POSTs and their target checks
  },
  {
    layer: 'telephony',
    why: 'adapters implement the domain Telephony port over sip/; their configuration comes through a port main.ts wires, never the store',
    layers: ['domain', 'telephony/sip', 'telephony/rtp', 'media'],
    packages: [],
    builtins: ['crypto', 'fs', 'os'], // tags and branch ids; the sandbox's dial log; listen addresses to print
  },
  {
    layer: 'dialer',
    why: 'the dialer runs use cases and store claims, and uses telephony only through the domain port',
    layers: ['domain', 'store', 'service'],
    typesOnly: ['observability'],
    packages: [],
    typePackages: ['pino'],
    builtins: ['crypto'],
  },
  {
    layer: 'observability',
    why: 'logs, metrics and traces: it may read domain types, nothing else of ours',
    layers: ['domain'],
    packages: [
      '@opentelemetry/api',
      '@opentelemetry/core',
      '@opentelemetry/exporter-trace-otlp-http',
      '@opentelemetry/resources',
      '@opentelemetry/sdk-trace-base',
      '@opentelemetry/semantic-conventions',
      'prom-client',
    ],
    typePackages: ['pino'],
    builtins: ['crypto'],
  },
  {
    layer: 'api',
    why: 'api imports service, domain, contract (never dialer or sip); it streams the events hub over SSE and may name store types with import type only',
    layers: ['service', 'domain', 'contract', 'observability', 'events'],
    typesOnly: ['store'],
    packages: [
      'fastify',
      '@fastify/swagger',
      '@fastify/swagger-ui',
      '@sinclair/typebox',
      'ajv',
      'ajv-formats',
      '@opentelemetry/api',
    ],
    typePackages: ['pino'],
    // fs, path: the built console's files, read once at start (plugins/console-assets.ts)
    builtins: ['crypto', 'fs', 'http', 'path', 'stream'],
  },
  {
    layer: 'sdk',
    why: 'the published SDK depends on the wire contract only, by type (it ships without TypeBox), and runs in browsers (no node: builtins)',
    layers: [],
    typesOnly: ['contract'],
    packages: [],
    typePackages: ['@sinclair/typebox'],
    builtins: [],
  },
  {
    layer: 'cli',
    why: 'remote commands go through the SDK; `pconn amd` runs the media analyser offline',
    layers: ['sdk', 'contract', 'config.ts', 'media'],
    packages: ['commander', 'yaml', '@sinclair/typebox'],
    builtins: '*', // a command-line program: files, sockets, the OS
    // `pconn doctor` also runs on the server's host and checks what no API can answer: whether
    // the database has this build's migrations, and whether a trunk answers SIP OPTIONS from
    // here. Only these two files, and only the migration list and the SIP message codec.
    exceptions: [
      {
        file: 'cli/doctor/local-database.ts',
        targets: ['store/migrations/', 'npm:pg'],
        why: 'compares applied migrations with the shipped list',
      },
      {
        file: 'cli/doctor/sip-options-probe.ts',
        targets: ['telephony/sip/message/'],
        why: 'builds and parses one SIP OPTIONS',
      },
      {
        file: 'cli/commands/simulate.ts',
        targets: ['domain/pacing/'],
        why: '`pconn simulate` runs the real pacing controller offline, on a virtual clock',
      },
    ],
  },
  {
    layer: 'config.ts',
    why: 'settings from the environment, with their table; only the OTel settings parser of observability',
    layers: ['observability', 'config-settings.ts', 'config'],
    packages: [],
    builtins: ['fs'], // secrets given as files (*_FILE settings, e.g. a mounted Kubernetes secret)
  },
  {
    layer: 'config',
    why: "config.ts's parts: the SIP rows of the settings table, the SIP settings' parser, the value readers",
    layers: ['config-settings.ts'],
    packages: [],
    builtins: [],
  },
  {
    layer: 'config-settings.ts',
    why: 'the table of every setting (default, description): data that config.ts and the docs generator read',
    layers: ['config'],
    packages: [],
    builtins: [],
  },
  {
    layer: 'wiring',
    why: "main.ts's parts: starting a component with pconn's parts plugged into its hooks",
    layers: '*',
    packages: [],
    typePackages: ['pino'],
    // The SIP driver's thread (wiring/sip-thread): its entry and the node's end of it.
    builtins: ['worker_threads'],
  },
  {
    layer: 'main.ts',
    why: 'the composition root: the only module that wires everything',
    layers: '*',
    packages: ['pino'],
    typePackages: ['fastify'],
    builtins: ['url'],
  },
];

const ruleOf = new Map(RULES.map((rule) => [rule.layer, rule]));

/** Why one import breaks its layer's allow-list, or undefined when it is allowed. */
function breach(rule: LayerRule, edge: ImportEdge): string | undefined {
  const excepted = rule.exceptions?.some(
    (e) => e.file === edge.file && e.targets.some((target) => edge.target.startsWith(target)),
  );
  if (excepted) return undefined;
  const where = `src/${edge.file}:${edge.line} imports '${edge.specifier}'`;
  if (edge.target.startsWith('node:')) {
    const name = edge.target.slice(5);
    return rule.builtins === '*' || rule.builtins.includes(name)
      ? undefined
      : `${where}: builtin not allowed`;
  }
  if (edge.target.startsWith('npm:')) {
    const name = edge.target.slice(4);
    if (builtinModules.includes(name)) return `${where}: write builtins as 'node:${name}'`;
    if (rule.packages.includes(name)) return undefined;
    if (rule.typePackages?.includes(name))
      return edge.typeOnly ? undefined : `${where} without 'import type'`;
    return `${where}: package not allowed`;
  }
  const to = layerOf(edge.target);
  if (to === rule.layer) return undefined;
  if (!ruleOf.has(to)) return `${where}: unknown layer ${to}`;
  if (rule.layers === '*' || rule.layers.includes(to)) return undefined;
  if (rule.typesOnly?.includes(to))
    return edge.typeOnly ? undefined : `${where} (${to}) without 'import type'`;
  return `${where} (${to})`;
}

/** Every import of a layer that its allow-list does not hold. */
function violations(rule: LayerRule): string[] {
  return edges
    .filter((edge) => layerOf(edge.file) === rule.layer)
    .flatMap((edge) => breach(rule, edge) ?? []);
}

describe('import direction (DESIGN.md)', () => {
  test('the import parser sees every form of import', () => {
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
      "import { z } from 'zod/v4';",
      "import type { Y } from '@scope/pkg/sub';",
      "import { readFile } from 'node:fs/promises';",
      'export type Shape = { kind: string };',
      "export const note = 'from nowhere';",
    ].join('\n');
    const found = parseImports('x/y.ts', sample).map((e) => `${e.target}${e.typeOnly ? ' (type)' : ''}`);
    assert.deepEqual(found.sort(), [
      'b.ts',
      'node:fs',
      'npm:@scope/pkg (type)',
      'npm:zod',
      'x/a.ts',
      'x/d.ts (type)',
      'x/e.ts',
      'x/f.ts (type)',
      'x/g.ts',
      'x/h.ts',
    ]);
    assert.ok(edges.filter(isOurs).length > 100, `only ${edges.length} relative imports found in src/`);
    assert.ok(
      edges.some((e) => e.typeOnly),
      'no type-only import found: parser is broken',
    );
  });

  test('layers are told apart by folder, and telephony adapters from the SIP library', () => {
    assert.equal(layerOf('telephony/sip/message/parse.ts'), 'telephony/sip');
    assert.equal(layerOf('telephony/sip-driver.ts'), 'telephony');
    assert.equal(layerOf('telephony/sip-driver/sip-leg.ts'), 'telephony');
    assert.equal(layerOf('telephony/sandbox/sandbox-driver.ts'), 'telephony');
    assert.equal(layerOf('telephony/rtp/jitter.ts'), 'telephony/rtp');
    assert.equal(layerOf('telephony/webrtc/peer.ts'), 'telephony/webrtc');
    assert.equal(layerOf('media/goertzel.ts'), 'media');
    assert.equal(layerOf('main.ts'), 'main.ts');
    const rule = ruleOf.get('domain');
    assert.ok(rule);
    const edge = (target: string, typeOnly = false): ImportEdge => ({
      file: 'domain/x.ts',
      line: 1,
      specifier: target,
      target: targetOf('domain/x.ts', target),
      typeOnly,
    });
    assert.match(breach(rule, edge('../store/database.ts')) ?? '', /\(store\)/);
    assert.match(breach(rule, edge('../media/tone.ts')) ?? '', /\(media\)/);
    assert.match(breach(rule, edge('../widgets/knob.ts')) ?? '', /unknown layer widgets/);
    assert.match(breach(rule, edge('zod')) ?? '', /package not allowed/);
    assert.match(breach(rule, edge('fs')) ?? '', /write builtins as 'node:fs'/);
    assert.match(breach(rule, edge('node:http')) ?? '', /builtin not allowed/);
    assert.equal(breach(rule, edge('libphonenumber-js/max')), undefined);
  });

  test('every file of src/ belongs to a layer that has a rule (place new folders deliberately)', () => {
    const unplaced = files
      .filter((file) => !ruleOf.has(layerOf(file)))
      .map((file) => `src/${file} (${layerOf(file)})`);
    assert.deepEqual(unplaced, [], `no rule in test/architecture.test.ts for:\n  ${unplaced.join('\n  ')}`);
  });

  test('every npm package src/ imports is a runtime dependency in package.json', () => {
    const missing = edges
      .filter(
        (edge) => edge.target.startsWith('npm:') && !(edge.target.slice(4) in PACKAGE_JSON.dependencies),
      )
      .map((edge) => `src/${edge.file}:${edge.line} imports '${edge.specifier}'`);
    assert.deepEqual(missing, [], `not in "dependencies":\n  ${missing.join('\n  ')}`);
  });

  for (const rule of RULES) {
    test(`${rule.layer}: ${rule.why}`, () => {
      const offenders = violations(rule);
      assert.deepEqual(offenders, [], `${rule.layer} breaks the layering:\n  ${offenders.join('\n  ')}`);
    });
  }
});

// Wall time read directly: `new Date()` without arguments, `Date.now()`, and SQL's own clock
// (`now()`, `current_timestamp`, `localtimestamp`, `clock_timestamp()`, `statement_timestamp()`,
// `transaction_timestamp()`). `clock.now()`, `performance.now()` and `#now()` do not match.
const WALL_TIME =
  /new Date\(\s*\)|\bDate\.now\(\)|(?<![.#$\w])now\(\)|\bcurrent_timestamp\b|\blocaltimestamp\b|\b(?:clock|statement|transaction)_timestamp\(\)/i;

/**
 * Where reading wall time directly is right, by file or folder (relative to src/). Everywhere
 * else time comes from the Clock port (domain/clock.ts), and SQL gets the clock's instant as a
 * parameter, so a test can move time with node's mock timers or a fixed clock, and a decision
 * (a lease, an expiry, a retry) is made against one notion of now.
 */
const WALL_TIME_ALLOWED: Array<{ path: string; why: string }> = [
  { path: 'domain/clock.ts', why: 'the system clock itself' },
  { path: 'domain/ids.ts', why: 'UUIDv7 ids carry their creation instant (RFC 9562 §5.7); not a decision' },
  {
    path: 'telephony/sip/',
    why: 'the SIP library imports nothing of ours; RFC 3261 timers and RTTs run on real time like its setTimeouts',
  },
  { path: 'store/migrations/', why: 'column defaults stamp when a row was written; not a decision' },
  { path: 'observability/', why: 'metrics, latency measurement and log rate limiting measure real time' },
  {
    path: 'telephony/sandbox/sandbox-driver.ts',
    why: 'the dial log records when a leg left, for tests to read',
  },
  {
    path: 'cli/',
    why: "the CLI runs on the operator's machine: progress, timeouts and skew checks are real time",
  },
  { path: 'sdk/', why: "client-side waits on the caller's machine; the SDK may import contract only" },
];

/**
 * Known debt, file by file: wall time still read directly in a decision, with who moves it to
 * the Clock. The test fails when one of these no longer reads wall time, so the list only
 * shrinks; never add to it.
 */
const WALL_TIME_PENDING: Array<{ path: string; why: string }> = [];

/** Each direct read of wall time outside the allow-list: `src/file:line: text`. */
function wallTimeReads(): string[] {
  const reads: string[] = [];
  for (const [file, text] of sources) {
    if (WALL_TIME_ALLOWED.some(({ path }) => covers(path, file))) continue;
    if (WALL_TIME_PENDING.some(({ path }) => covers(path, file))) continue;
    text.split('\n').forEach((line, index) => {
      const code = line.replace(/\/\/.*$/, '');
      if (/^\s*(\*|\/\*)/.test(code)) return;
      if (WALL_TIME.test(code)) reads.push(`src/${file}:${index + 1}: ${line.trim().slice(0, 100)}`);
    });
  }
  return reads;
}

/** True when an allow-list entry (a file, or a folder ending in `/`) covers `file`. */
function covers(path: string, file: string): boolean {
  return file === path || (path.endsWith('/') && file.startsWith(path));
}

describe('time comes from the Clock port (DESIGN.md)', () => {
  test('the pattern finds wall-time reads and leaves the clock alone', () => {
    const hits = [
      'const a = new Date();',
      'const b = Date.now();',
      'sql`update t set at = now()`',
      'where at < current_timestamp',
    ];
    const misses = [
      'const a = clock.now();',
      'const b = performance.now();',
      'const c = new Date(row.at);',
      'this.#now()',
      'const d = this.deps.clock.now();',
    ];
    for (const line of hits) assert.ok(WALL_TIME.test(line), line);
    for (const line of misses) assert.ok(!WALL_TIME.test(line), line);
  });

  test('no bare new Date(), Date.now() or SQL now() outside the allow-list', () => {
    const reads = wallTimeReads();
    assert.deepEqual(
      reads,
      [],
      `read time from the Clock (or pass clock.now() to SQL):\n  ${reads.join('\n  ')}`,
    );
  });

  test('the known-debt list only shrinks: each entry still reads wall time', () => {
    const paid = WALL_TIME_PENDING.filter(({ path }) => {
      const text = sources.get(path);
      return (
        text === undefined || !text.split('\n').some((line) => WALL_TIME.test(line.replace(/\/\/.*$/, '')))
      );
    }).map(({ path }) => path);
    assert.deepEqual(
      paid,
      [],
      `no longer reads wall time, remove from WALL_TIME_PENDING:\n  ${paid.join('\n  ')}`,
    );
  });
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

// The web console (console/ at the repo root) is a client of the public API: it may import
// pconn/sdk (and contract types), preact, and itself — never the server's layers, and no
// node: builtins (it runs in browsers). DESIGN.md: `console` imports `sdk`.
const CONSOLE_ROOT = fileURLToPath(new URL('../console/', import.meta.url));
const consoleFiles = readdirSync(join(CONSOLE_ROOT, 'src'), { recursive: true, encoding: 'utf8' })
  .filter((name) => /\.tsx?$/.test(name))
  .map((name) => `console/src/${name.split(sep).join('/')}`)
  .sort();
const CONSOLE_PACKAGES = ['preact'];

/** Why one import of a console file breaks the console's allow-list, or undefined. */
function consoleBreach(edge: ImportEdge): string | undefined {
  const where = `${edge.file}:${edge.line} imports '${edge.specifier}'`;
  if (edge.specifier === 'pconn/sdk') return undefined;
  if (edge.target.startsWith('node:')) return `${where}: the console runs in browsers (no node: builtins)`;
  if (edge.target.startsWith('npm:'))
    return CONSOLE_PACKAGES.includes(edge.target.slice(4)) ? undefined : `${where}: package not allowed`;
  if (edge.target.startsWith('console/')) return undefined;
  if (edge.target.startsWith('src/contract/'))
    return edge.typeOnly ? undefined : `${where}: contract by type only (the console ships no TypeBox)`;
  return `${where}: the console reaches pconn through 'pconn/sdk' only`;
}

describe('console (DESIGN.md: console → sdk, contract only)', () => {
  test('the console rule refuses server layers, builtins and other packages', () => {
    const edge = (specifier: string, typeOnly = false): ImportEdge => ({
      file: 'console/src/pages/x.tsx',
      line: 1,
      specifier,
      target: targetOf('console/src/pages/x.tsx', specifier),
      typeOnly,
    });
    assert.equal(consoleBreach(edge('pconn/sdk')), undefined);
    assert.equal(consoleBreach(edge('preact/hooks')), undefined);
    assert.equal(consoleBreach(edge('../api.ts')), undefined);
    assert.equal(consoleBreach(edge('../../../src/contract/calls.ts', true)), undefined);
    assert.match(consoleBreach(edge('../../../src/contract/calls.ts')) ?? '', /by type only/);
    assert.match(consoleBreach(edge('../../../src/service/calls/create-call.ts')) ?? '', /pconn\/sdk/);
    assert.match(consoleBreach(edge('../../../src/sdk/index.ts')) ?? '', /pconn\/sdk/);
    assert.match(consoleBreach(edge('node:fs')) ?? '', /browsers/);
    assert.match(consoleBreach(edge('react')) ?? '', /package not allowed/);
  });

  test('the console imports pconn/sdk, preact and itself only', () => {
    assert.ok(consoleFiles.length > 5, `only ${consoleFiles.length} console files found`);
    const offenders = consoleFiles.flatMap((file) =>
      parseImports(file, readFileSync(join(CONSOLE_ROOT, '..', file), 'utf8')).flatMap(
        (edge) => consoleBreach(edge) ?? [],
      ),
    );
    assert.deepEqual(offenders, [], `the console breaks its layering:\n  ${offenders.join('\n  ')}`);
  });

  test('no console file is over 400 lines (split it)', () => {
    const offenders = consoleFiles
      .map((file) => ({
        file,
        lines: readFileSync(join(CONSOLE_ROOT, '..', file), 'utf8').split('\n').length,
      }))
      .filter(({ lines }) => lines > 401)
      .map(({ file, lines }) => `${file}: ${lines} lines`);
    assert.deepEqual(offenders, [], `too long:\n  ${offenders.join('\n  ')}`);
  });

  test('console file names are kebab-case', () => {
    const offenders = consoleFiles.filter(
      (file) => !/^[a-z0-9]+(-[a-z0-9]+)*\.tsx?$/.test(file.split('/').pop() ?? ''),
    );
    assert.deepEqual(offenders, [], `not kebab-case:\n  ${offenders.join('\n  ')}`);
  });
});
