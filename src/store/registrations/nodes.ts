import { sql } from 'kysely';
import type { Executor } from '../database.ts';

/**
 * The heartbeat of a node: it counts as alive (its bindings are rung through it, calls handed
 * to it wait for it) until `aliveUntil`. Inserts the row on the first beat.
 */
export async function beatNode(db: Executor, nodeId: string, aliveUntil: Date, now: Date): Promise<void> {
  await sql`insert into pconn_nodes (id, alive_until, started_at) values (${nodeId}, ${aliveUntil}, ${now})
    on conflict (id) do update set alive_until = excluded.alive_until`.execute(db);
}

/**
 * A node shutting down cleanly: its bindings die with its flows, so they go now (the phones
 * re-register elsewhere) and calls handed to it are free for every node at once.
 */
export async function retireNode(db: Executor, nodeId: string): Promise<void> {
  await sql`delete from sip_bindings where node_id = ${nodeId}`.execute(db);
  await sql`delete from pconn_nodes where id = ${nodeId}`.execute(db);
}

/**
 * Drops expired bindings, and nodes dead for an hour with whatever bindings they left (a node
 * killed with SIGKILL never retires itself). Returns the bindings removed.
 */
export async function pruneRegistrations(db: Executor, now: Date): Promise<number> {
  const dead = new Date(now.getTime() - 3600_000);
  // Bindings of a node without a row yet (mirrored just before its first beat) are kept: they
  // go when they expire, like any other.
  const result = await sql`delete from sip_bindings b where b.expires_at <= ${now}
    or exists (select 1 from pconn_nodes n where n.id = b.node_id and n.alive_until <= ${dead})`.execute(db);
  await sql`delete from pconn_nodes where alive_until <= ${dead}`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}
