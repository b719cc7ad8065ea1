import { Worker } from 'node:worker_threads';

/**
 * A worker thread running `script` with `workerData`. On Node 20 a worker thread does not
 * inherit tsx's loader (its `--import` hooks stay with the thread that registered them), so
 * TypeScript sources are loaded through tsx's own import API from a one-line bootstrap; a
 * built `.js` script runs as it is.
 */
export function startScriptWorker(script: URL, workerData: unknown): Worker {
  if (!script.pathname.endsWith('.ts')) return new Worker(script, { workerData });
  const bootstrap = `import('tsx/esm/api').then(({ tsImport }) => tsImport(${JSON.stringify(script.href)}, ${JSON.stringify(import.meta.url)}))`;
  return new Worker(bootstrap, { eval: true, workerData });
}
