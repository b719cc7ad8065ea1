import { existsSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * CPU-capped cgroups for scale_ratio: each pconn node gets the same quota, so one, two and three
 * nodes measure pconn's design rather than how many cores this shared machine happens to give
 * each of them. cgroup v1 (`cpu` hierarchy, `cpu.cfs_quota_us`) or v2 (`cpu.max`), whichever has
 * the cpu controller mounted. Needs root.
 */
export interface CpuCgroup {
  name: string;
  path: string;
  /** Moves a process, with all its threads (and later its children), into the group. */
  add(pid: number): Promise<void>;
  /** Scheduler periods the group ran in, and how many of them it used its whole quota in. */
  throttling(): Promise<{ periods: number; throttled: number }>;
}

const PERIOD_US = 100_000;
const V1 = '/sys/fs/cgroup/cpu';
const V2 = '/sys/fs/cgroup';

type Hierarchy = { version: 1 | 2; root: string };

/** Where a cpu-capped group can be made, or why none can. */
function hierarchy(): Hierarchy | { error: string } {
  if (existsSync(join(V1, 'cpu.cfs_period_us'))) return { version: 1, root: V1 };
  const controllers = join(V2, 'cgroup.controllers');
  if (existsSync(controllers) && readFileSync(controllers, 'utf8').split(/\s+/).includes('cpu'))
    return { version: 2, root: V2 };
  return {
    error: `no cgroup cpu controller mounted (neither ${V1}/cpu.cfs_period_us nor cpu in ${controllers})`,
  };
}

/** Every group made by this process, removed by `removeCpuCgroups` or, failing that, at exit. */
const made: CpuCgroup[] = [];
process.once('exit', () => removeCpuCgroupsSync());
// Interrupted (Ctrl-C, a CI timeout): no 'exit' event without a handler, so remove them here.
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => {
    removeCpuCgroupsSync();
    process.exit(signal === 'SIGINT' ? 130 : 143);
  });

/** Makes cgroup `name` capped at `cpus` CPUs (0.4: 40 ms of every 100 ms); throws saying why it cannot. */
export async function createCpuCgroup(name: string, cpus: number): Promise<CpuCgroup> {
  const where = hierarchy();
  if ('error' in where) throw new Error(where.error);
  const path = join(where.root, name);
  const quota = String(Math.round(cpus * PERIOD_US));
  try {
    if (where.version === 2) {
      // v2 only hands the cpu controller to children whose parent enables it.
      await writeFile(join(where.root, 'cgroup.subtree_control'), '+cpu').catch(() => undefined);
    }
    await mkdir(path);
  } catch (error) {
    throw new Error(`cannot create cgroup ${path}: ${(error as Error).message} (root needed)`);
  }
  const group: CpuCgroup = {
    name,
    path,
    async add(pid) {
      await writeFile(join(path, 'cgroup.procs'), String(pid));
    },
    async throttling() {
      // v1 and v2 both count periods in which the group ran, and those it hit its quota in.
      const stat = await readFile(join(path, 'cpu.stat'), 'utf8');
      const field = (key: string) => Number(new RegExp(`${key} (\\d+)`).exec(stat)?.[1] ?? 0);
      return { periods: field('nr_periods'), throttled: field('nr_throttled') };
    },
  };
  made.push(group);
  try {
    if (where.version === 1) {
      await writeFile(join(path, 'cpu.cfs_period_us'), String(PERIOD_US));
      await writeFile(join(path, 'cpu.cfs_quota_us'), quota);
    } else {
      await writeFile(join(path, 'cpu.max'), `${quota} ${PERIOD_US}`);
    }
  } catch (error) {
    removeCpuCgroupsSync();
    throw new Error(`cannot set the CPU quota of cgroup ${path}: ${(error as Error).message}`);
  }
  return group;
}

/**
 * Removes every group this process made: any process still in one goes back to the root group
 * first (rmdir refuses a populated group). Synchronous so that it also runs from an exit handler.
 */
export function removeCpuCgroupsSync(): string[] {
  const problems: string[] = [];
  for (const group of made.splice(0)) {
    try {
      const root = join(group.path, '..');
      const pids = readFileSync(join(group.path, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean);
      for (const pid of pids) {
        try {
          writeFileSync(join(root, 'cgroup.procs'), pid);
        } catch {
          // The process exited meanwhile.
        }
      }
      rmdirSync(group.path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
        problems.push(`${group.path}: ${(error as Error).message}`);
    }
  }
  return problems;
}
