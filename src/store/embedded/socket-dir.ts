import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** `pconn-store-<pid>-<random>`: whose directory it is, so a later start can tell it is stale. */
const NAME = /^pconn-store-(\d+)-/;

/**
 * A fresh private directory (mkdtemp: mode 0700) for the embedded store's socket, under the
 * system's temp dir: its path stays far below the ~107 bytes a socket path may have, wherever
 * the data dir is. A node killed with SIGKILL cannot remove its own, so each start first
 * removes those whose process is gone (a new start never reuses one: names are random).
 */
export async function createSocketDir(): Promise<string> {
  await removeStaleSocketDirs();
  return mkdtemp(join(tmpdir(), `pconn-store-${process.pid}-`));
}

/** Removes socket directories left by pconn processes that no longer exist. */
export async function removeStaleSocketDirs(): Promise<void> {
  const entries = await readdir(tmpdir()).catch(() => [] as string[]);
  for (const entry of entries) {
    const pid = Number(NAME.exec(entry)?.[1]);
    if (!pid || processExists(pid)) continue;
    await rm(join(tmpdir(), entry), { recursive: true, force: true }).catch(() => {});
  }
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, as another user's; only ESRCH means it is gone.
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}
