import { readdir, readFile } from 'node:fs/promises';

/** One process of a tree, as Linux's /proc sees it. */
export interface ProcessMemory {
  pid: number;
  command: string;
  /** Resident set size in bytes: every thread of the process shares it, so it counts them all. */
  rss: number;
  threads: number;
}

async function parentOf(pid: number): Promise<number | undefined> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  // The command name (2nd field) may hold spaces and parentheses: the fields after its last ')'.
  const fields = stat?.slice(stat.lastIndexOf(')') + 2).split(' ');
  return fields ? Number(fields[1]) : undefined;
}

async function memoryOf(pid: number): Promise<ProcessMemory | undefined> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => undefined);
  if (!status) return undefined;
  const field = (key: string) => new RegExp(`^${key}:\\s*(.+)$`, 'm').exec(status)?.[1]?.trim() ?? '';
  const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  return {
    pid,
    command: cmdline.split('\0').filter(Boolean).slice(0, 3).join(' ') || field('Name'),
    rss: Number.parseInt(field('VmRSS') || '0', 10) * 1024,
    threads: Number(field('Threads') || 0),
  };
}

/** `root` and every process descended from it (children, grandchildren…), with their memory. */
export async function processTree(root: number): Promise<ProcessMemory[]> {
  const pids = (await readdir('/proc')).filter((name) => /^\d+$/.test(name)).map(Number);
  const parents = new Map<number, number | undefined>(
    await Promise.all(pids.map(async (pid) => [pid, await parentOf(pid)] as const)),
  );
  const inTree = new Set([root]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, parent] of parents)
      if (parent !== undefined && inTree.has(parent) && !inTree.has(pid)) {
        inTree.add(pid);
        grew = true;
      }
  }
  const memories = await Promise.all([...inTree].map(memoryOf));
  return memories.filter((memory): memory is ProcessMemory => memory !== undefined);
}

/**
 * CPU seconds (user + system) a process — or one of its threads, `pid/task/tid` — has used so
 * far; 0 once it is gone.
 */
export async function cpuSeconds(pid: number | string): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  const fields = stat?.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime, fields 14 and 15 of stat(5), in clock ticks (100 a second on Linux).
  return fields ? (Number(fields[11]) + Number(fields[12])) / 100 : 0;
}

/** How busy the machine was, in percent of all its cores, from its busy and idle time. */
export function busyPercent({ busy, idle }: { busy: number; idle: number }): number {
  return busy + idle > 0 ? (100 * busy) / (busy + idle) : 0;
}

/** The whole machine's CPU time so far, in seconds over all cores: busy and idle (incl. iowait). */
export async function machineCpu(): Promise<{ busy: number; idle: number }> {
  const line = (await readFile('/proc/stat', 'utf8')).split('\n')[0] ?? '';
  const ticks = line.split(/\s+/).slice(1).map(Number);
  const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0);
  const total = ticks.slice(0, 8).reduce((sum, t) => sum + t, 0);
  return { busy: (total - idle) / 100, idle: idle / 100 };
}
