import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const SCRIPT = fileURLToPath(new URL('../support/open-embedded-store.ts', import.meta.url));

async function openInOwnProcess(
  dataDir: string,
): Promise<{ sharedBuffers: string; runs: number; rssMb: number }> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', SCRIPT, dataDir]);
  return JSON.parse(stdout);
}

// idle_rss (docs/performance.md "Memory"): a first start used to keep PGlite's initdb instance
// (~430 MB) and 128 MB of touched shared buffers in the serving process, ~800 MB in all.
test('the embedded store creates a fresh data dir outside its process and holds one node-sized buffer pool', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'pconn-embedded-memory-'));
  try {
    const first = await openInOwnProcess(join(dir, 'data'));
    assert.equal(first.sharedBuffers, '16MB', 'shared_buffers sized for one node');
    assert.equal(first.runs, 1, 'the fresh data dir is usable');
    // Generous: the process measures ~250 MB with tsx loaded; before the change it held ~800 MB.
    assert.ok(first.rssMb < 500, `a first start holds ${first.rssMb} MB (under 500 MB expected)`);
    const second = await openInOwnProcess(join(dir, 'data'));
    assert.equal(second.runs, 2, 'the data dir made in the child process is the one reopened');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
