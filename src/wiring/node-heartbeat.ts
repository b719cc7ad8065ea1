import type { Logger } from 'pino';
import type { Clock } from '../domain/clock.ts';
import type { Db } from '../store/database.ts';
import { beatNode, pruneRegistrations, retireNode } from '../store/registrations/nodes.ts';

/**
 * Keeps this node's row in pconn_nodes alive: every third of `aliveSeconds` it pushes
 * `alive_until` to `aliveSeconds` ahead (pconn passes the dialer lease: a killed node's
 * bindings stop being used, and calls handed to it are taken by others, as its calls' leases
 * lapse). Each beat also prunes expired bindings. On stop the node retires: its bindings and row
 * go at once (its flows close with it).
 */
export class NodeHeartbeat {
  private timer?: NodeJS.Timeout;
  private beating?: Promise<void>;

  constructor(
    private readonly deps: { db: Db; clock: Clock; logger: Logger; nodeId: string; aliveSeconds: number },
  ) {}

  /** The first beat, awaited (before any REGISTER is mirrored), then one every third of the window. */
  async start(): Promise<void> {
    await this.beat();
    const everyMs = Math.max(250, (this.deps.aliveSeconds * 1000) / 3);
    this.timer = setInterval(() => {
      this.beating ??= this.beat()
        .catch((error: unknown) => this.deps.logger.warn({ err: error }, 'node heartbeat failed'))
        .finally(() => {
          this.beating = undefined;
        });
    }, everyMs);
    this.timer.unref();
  }

  /** Stops beating and retires the node. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.beating;
    await retireNode(this.deps.db, this.deps.nodeId).catch((error: unknown) =>
      this.deps.logger.warn({ err: error }, 'retiring the node failed'),
    );
  }

  private async beat(): Promise<void> {
    const { db, clock, nodeId, aliveSeconds } = this.deps;
    const now = clock.now();
    await beatNode(db, nodeId, new Date(now.getTime() + aliveSeconds * 1000), now);
    await pruneRegistrations(db, now);
  }
}
