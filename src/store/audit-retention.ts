import { sql } from 'kysely';
import { appendAuditEvents, type NewAuditEvent, UNAUTHENTICATED_CHAIN } from './audit-events.ts';
import type { Db } from './database.ts';

/** How far one chain may grow and how old its entries may get. */
export interface ChainBounds {
  /** Entries written before this instant are pruned. */
  olderThan: Date;
  /** At most this many entries are kept (the newest). */
  maxEntries: number;
}

/** What a checkpoint names: the last entry pruned (the next one kept links to its hash). */
export interface PrunedThrough {
  prunedThroughSequence: number;
  prunedThroughHash: string;
  prunedEntries: number;
}

/** What one pruning did: nothing, or a checkpoint appended and entries removed before it. */
export type PruneOutcome = { pruned: 0 } | ({ pruned: number; checkpointSequence: number } & PrunedThrough);

/**
 * Prunes the oldest entries of `chain` past its bounds, keeping the chain verifiable: in one
 * transaction, with the chain head locked (appends and other nodes' pruning wait), it appends a
 * checkpoint entry naming the last entry it removes and that entry's hash, then deletes that
 * entry and all before it. Verification starts from the newest checkpoint
 * (contract/audit-chain.ts), so a pruned chain verifies, while an entry missing beyond what a
 * checkpoint declares is still a gap. `checkpointEntry` makes the checkpoint's entry (its shape
 * is the contract's, contract/audit-chain.ts: the service builds it).
 */
export async function pruneAuditChain(
  db: Db,
  chain: string,
  bounds: ChainBounds,
  checkpointEntry: (checkpoint: PrunedThrough) => NewAuditEvent,
): Promise<PruneOutcome> {
  return db.transaction().execute(async (tx) => {
    const head = await tx
      .selectFrom('audit_chain_heads')
      .select(['sequence'])
      .where('chain', '=', chain)
      .forUpdate()
      .executeTakeFirst();
    if (!head) return { pruned: 0 };
    const headSequence = Number(head.sequence);
    // The tenant condition lets the (tenant_id, at) index find the aged rows (the chain's tenant).
    const tenant = chain === UNAUTHENTICATED_CHAIN ? sql`tenant_id is null` : sql`tenant_id = ${chain}`;
    const oldest = await sql<{ first: string | null; aged: string | null }>`
      select
        (select min(sequence) from audit_events where chain = ${chain}) as first,
        (select max(sequence) from audit_events
          where ${tenant} and chain = ${chain} and at < ${bounds.olderThan}) as aged
    `.execute(tx);
    const first = oldest.rows[0]?.first;
    if (first === null || first === undefined) return { pruned: 0 };
    // Checkpoints of earlier prunings are entries like the rest: kept by count, removed by age.
    const through = Math.max(Number(oldest.rows[0]?.aged ?? 0), headSequence - bounds.maxEntries);
    if (through < Number(first)) return { pruned: 0 };
    const last = await tx
      .selectFrom('audit_events')
      .select(['hash'])
      .where('chain', '=', chain)
      .where('sequence', '=', through)
      .executeTakeFirst();
    // A gap at the cut (never written that way): prune nothing rather than anchor on a guess.
    if (!last) return { pruned: 0 };
    const count = await tx
      .selectFrom('audit_events')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('chain', '=', chain)
      .where('sequence', '<=', through)
      .executeTakeFirstOrThrow();
    const checkpoint: PrunedThrough = {
      prunedThroughSequence: through,
      prunedThroughHash: last.hash,
      prunedEntries: Number(count.n),
    };
    await appendAuditEvents(tx, [checkpointEntry(checkpoint)]);
    await tx.deleteFrom('audit_events').where('chain', '=', chain).where('sequence', '<=', through).execute();
    return { pruned: checkpoint.prunedEntries, checkpointSequence: headSequence + 1, ...checkpoint };
  });
}
