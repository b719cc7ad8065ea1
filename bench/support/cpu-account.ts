/**
 * Where a load's CPU went: named groups of processes (or single threads), the bench's own
 * process (the load generator) and the whole machine, read from /proc as the load starts, while it
 * runs and as it ends.
 * Shared by scale_ratio (its nodes under quotas) and sip_cps_ratio (CPU per bridged call).
 */
import { cpuSeconds, machineCpu, processTree } from './process-tree.ts';

/** Named groups of processes whose CPU is accounted. */
export type CpuGroups = Record<string, CpuGroup>;

export interface CpuGroup {
  /**
   * The members when read: pids, or `pid/task/tid` for one thread. A function, because
   * PostgreSQL starts backends during the load: a member missing at the first reading counts its
   * whole CPU time; one that exits keeps its last reading (CpuMeter).
   */
  members: () => Promise<readonly (number | string)[]>;
  /** Part of another group's time (a node's main thread): not added to the machine's account twice. */
  within?: string;
}

/** CPUs (CPU seconds ÷ seconds) per group between two samples, and what the rest of the machine did. */
export interface CpuSplit {
  seconds: number;
  groups: Record<string, number>;
  loadGenerator: number;
  /** Busy time outside the groups and the load generator: other helpers, the kernel's own. */
  other: number;
  /** The whole machine's busy and idle time, over all cores. */
  busy: number;
  idle: number;
}

/** The PostgreSQL server processes started by this (bench) process, for a group. */
export async function postgresPids(): Promise<number[]> {
  return (await processTree(process.pid)).filter((p) => /postgres/.test(p.command)).map((p) => p.pid);
}

/**
 * Accounts CPU from its creation to `split()`. Each reading keeps every member's latest CPU time,
 * so a process that exits before the end (sipp, done with its calls) still counts what it used up
 * to the last `read()` before it went: read every few hundred ms during the load.
 */
export class CpuMeter {
  readonly #groups: CpuGroups;
  readonly #first = new Map<string, number>();
  readonly #latest = new Map<string, number>();
  readonly #members = new Map<string, Set<string>>();
  #start: Start | undefined;

  private constructor(groups: CpuGroups) {
    this.#groups = groups;
  }

  static async start(groups: CpuGroups): Promise<CpuMeter> {
    const meter = new CpuMeter(groups);
    await meter.read();
    meter.#start = {
      at: performance.now(),
      loadGenerator: loadGeneratorSeconds(),
      machine: await machineCpu(),
    };
    return meter;
  }

  /**
   * Reads every member's CPU time; `refresh: false` reads only the members already known (finding
   * PostgreSQL's walks all of /proc, which every 250 ms showed in the bench's own CPU).
   */
  async read(refresh = true): Promise<void> {
    for (const [name, group] of Object.entries(this.#groups)) {
      const members = this.#members.get(name) ?? new Set<string>();
      this.#members.set(name, members);
      for (const member of refresh ? await group.members() : [...members]) {
        const id = String(member);
        const seconds = await cpuSeconds(member);
        if (seconds === 0) continue; // gone: its last reading stands
        members.add(id);
        this.#latest.set(id, seconds);
        // A member first seen during the load (a new backend) counts its whole time.
        if (!this.#first.has(id)) this.#first.set(id, this.#start ? 0 : seconds);
      }
    }
  }

  async split(): Promise<CpuSplit> {
    await this.read();
    const start = this.#start as Start;
    const seconds = (performance.now() - start.at) / 1000;
    const machine = await machineCpu();
    const used = (name: string) =>
      [...(this.#members.get(name) ?? [])].reduce(
        (sum, id) => sum + (this.#latest.get(id) ?? 0) - (this.#first.get(id) ?? 0),
        0,
      );
    const groups = Object.fromEntries(Object.keys(this.#groups).map((name) => [name, used(name)]));
    const loadGenerator = loadGeneratorSeconds() - start.loadGenerator;
    const busy = machine.busy - start.machine.busy;
    const accounted = Object.entries(groups)
      .filter(([name]) => this.#groups[name]?.within === undefined)
      .reduce((sum, [, s]) => sum + s, loadGenerator);
    return {
      seconds,
      groups: Object.fromEntries(Object.entries(groups).map(([name, s]) => [name, s / seconds])),
      loadGenerator: loadGenerator / seconds,
      other: Math.max(0, busy - accounted) / seconds,
      busy: busy / seconds,
      idle: (machine.idle - start.machine.idle) / seconds,
    };
  }
}

interface Start {
  at: number;
  loadGenerator: number;
  machine: { busy: number; idle: number };
}

function loadGeneratorSeconds(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
}
