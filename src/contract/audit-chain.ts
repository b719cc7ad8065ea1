import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json.ts';

/** The fields of an audit entry that its hash covers, in hashing order. */
export interface AuditChainFields {
  chain: string;
  sequence: number;
  tenantId: string | null;
  requestId: string;
  /** The client's own X-Request-Id; hashed only when present, so older entries keep their hash. */
  clientRequestId?: string | null;
  clientId: string | null;
  method: string;
  route: string;
  path: string;
  status: number;
  code: string | null;
  durationMs: number;
  bodyDigest: string | null;
  body: unknown;
  at: string;
}

/** The hash the chain starts from (no previous entry). */
export const GENESIS_HASH = '0'.repeat(64);

/**
 * The hash of one audit entry: SHA-256 over the previous entry's hash and a canonical JSON
 * encoding of the entry (object keys sorted, so a database that reorders JSON keys — jsonb
 * does — cannot change the hash). Altering any covered field, or removing an entry, breaks
 * every later link.
 */
export function auditEntryHash(prevHash: string, entry: AuditChainFields): string {
  const { prefix, suffix } = auditEntryTextAroundSequence(entry);
  return createHash('sha256')
    .update(prevHash)
    .update('\n')
    .update(`${prefix}${canonicalJson(entry.sequence)}${suffix}`)
    .digest('hex');
}

/**
 * The canonical text an entry's hash covers, split around its sequence number: the text is
 * `prefix + sequence + suffix`. Lets a writer that learns the sequence only inside the database
 * (the audit append numbers and hashes entries in SQL, under the chain head's row lock) hash
 * exactly what `auditEntryHash` hashes.
 */
export function auditEntryTextAroundSequence(entry: Omit<AuditChainFields, 'sequence'>): {
  prefix: string;
  suffix: string;
} {
  const fields: unknown[] = [
    entry.tenantId,
    entry.requestId,
    entry.clientId,
    entry.method,
    entry.route,
    entry.path,
    entry.status,
    entry.code,
    entry.durationMs,
    entry.bodyDigest,
    entry.body,
    entry.at,
  ];
  // Appended only when present: entries written before clientRequestId existed hash as before.
  if (entry.clientRequestId != null) fields.push(entry.clientRequestId);
  const rest = canonicalJson(fields);
  return { prefix: `[${canonicalJson(entry.chain)},`, suffix: `,${rest.slice(1)}` };
}

/** A problem found while verifying a chain. */
export interface ChainBreak {
  sequence: number;
  requestId: string;
  reason: 'hash_mismatch' | 'link_mismatch' | 'sequence_gap';
}

/**
 * The route of a checkpoint entry. Pruning a chain (only the unauthenticated one is pruned, see
 * docs/security.md) first appends a checkpoint naming the last entry it removes, then removes
 * that entry and everything before it. The checkpoint is an ordinary link, hashed like any
 * other, so verification starts at the entry after the one it names, with that entry's hash
 * — and deleting anything more than the checkpoint declares is still a `sequence_gap`.
 */
export const AUDIT_CHECKPOINT_ROUTE = 'pconn:audit-checkpoint';

/** The route of a summary entry: requests refused before authentication, counted per address. */
export const AUDIT_SUMMARY_ROUTE = 'pconn:refused-unauthenticated';

/** What a checkpoint entry's body holds (under `checkpoint`). */
export interface AuditCheckpoint {
  /** The last entry pruned: the next entry kept links to its hash. */
  prunedThroughSequence: number;
  prunedThroughHash: string;
  /** Entries removed by this pruning. */
  prunedEntries: number;
}

/** The checkpoint an entry carries, if it is a checkpoint entry. */
export function checkpointOf(entry: Pick<AuditChainFields, 'route' | 'body'>): AuditCheckpoint | undefined {
  if (entry.route !== AUDIT_CHECKPOINT_ROUTE) return undefined;
  const checkpoint = (entry.body as { checkpoint?: Partial<AuditCheckpoint> } | null)?.checkpoint;
  if (
    typeof checkpoint?.prunedThroughSequence !== 'number' ||
    typeof checkpoint.prunedThroughHash !== 'string'
  )
    return undefined;
  return checkpoint as AuditCheckpoint;
}

/**
 * Verifies entries of one chain given in sequence order, starting at `startHash` (the
 * previous entry's hash) and `startSequence`. Without them it starts at the chain's beginning,
 * or, when the oldest entries were pruned, where the newest checkpoint among `entries` says the
 * kept entries begin. Returns every break found.
 */
export function verifyAuditChain(
  entries: ReadonlyArray<AuditChainFields & { prevHash: string; hash: string }>,
  startHash?: string,
  startSequence?: number,
): ChainBreak[] {
  const anchor = startHash === undefined ? newestCheckpoint(entries) : undefined;
  const breaks: ChainBreak[] = [];
  let expectedPrev = startHash ?? anchor?.prunedThroughHash ?? GENESIS_HASH;
  let expectedSequence = startSequence ?? (anchor ? anchor.prunedThroughSequence + 1 : 1);
  for (const entry of entries) {
    if (entry.sequence !== expectedSequence) {
      breaks.push({ sequence: entry.sequence, requestId: entry.requestId, reason: 'sequence_gap' });
    }
    if (entry.prevHash !== expectedPrev) {
      breaks.push({ sequence: entry.sequence, requestId: entry.requestId, reason: 'link_mismatch' });
    }
    if (auditEntryHash(entry.prevHash, entry) !== entry.hash) {
      breaks.push({ sequence: entry.sequence, requestId: entry.requestId, reason: 'hash_mismatch' });
    }
    expectedPrev = entry.hash;
    expectedSequence = entry.sequence + 1;
  }
  return breaks;
}

/** The checkpoint that pruned furthest, among entries that are themselves kept (and so verified). */
function newestCheckpoint(
  entries: ReadonlyArray<Pick<AuditChainFields, 'route' | 'body'>>,
): AuditCheckpoint | undefined {
  let newest: AuditCheckpoint | undefined;
  for (const entry of entries) {
    const checkpoint = checkpointOf(entry);
    if (checkpoint && checkpoint.prunedThroughSequence > (newest?.prunedThroughSequence ?? 0))
      newest = checkpoint;
  }
  return newest;
}
