#!/usr/bin/env node
// Bundles the server (src/main.ts) into dist/main.js, the embedded store's worker thread
// (src/wiring/store-thread.ts) into dist/store-thread.js and the SIP driver's thread
// (src/wiring/sip-thread/sip-thread.ts) into dist/sip-thread.js, so that `npm start` runs plain node: no tsx
// launcher process and no TypeScript compiler in the serving process (docs/performance.md
// "Memory"). Packages stay in node_modules (PGlite finds its WebAssembly beside its own files).
// esbuild comes with tsx, a dependency: it is resolved through tsx so that it needs no entry of
// its own in package.json.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { buildConsole } from './build-console.js';

const require = createRequire(import.meta.url);
const esbuild = createRequire(require.resolve('tsx/package.json'))('esbuild');

await esbuild.build({
  // The embedded store's thread has its own entry: a worker runs a script of its own, beside
  // main.js (src/store/pglite-worker-client.ts looks for it there).
  entryPoints: {
    main: fileURLToPath(new URL('../src/main.ts', import.meta.url)),
    'store-thread': fileURLToPath(new URL('../src/wiring/store-thread.ts', import.meta.url)),
    // The SIP driver's thread, found beside main.js too (src/wiring/sip-thread/threaded-sip-driver.ts).
    'sip-thread': fileURLToPath(new URL('../src/wiring/sip-thread/sip-thread.ts', import.meta.url)),
  },
  outdir: fileURLToPath(new URL('../dist/', import.meta.url)),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  sourcemap: 'linked',
  // Stack traces need only the mappings (--enable-source-maps); the sources are beside dist/ and
  // Node reads them when it must show a line. Their text in the map cost the node ~2.5 MB of heap.
  sourcesContent: false,
  logLevel: 'warning',
});

// The web console (served at /console): rebuilt only when its sources changed.
await buildConsole();
