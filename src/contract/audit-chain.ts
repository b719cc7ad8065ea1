import { createHash } from 'node:crypto';

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
 * Verifies entries of one chain given in sequence order, starting at `startHash` (the
 * previous entry's hash, or GENESIS_HASH from the beginning). Returns every break found.
 */
export function verifyAuditChain(
  entries: ReadonlyArray<AuditChainFields & { prevHash: string; hash: string }>,
  startHash = GENESIS_HASH,
  startSequence = 1,
): ChainBreak[] {
  const breaks: ChainBreak[] = [];
  let expectedPrev = startHash;
  let expectedSequence = startSequence;
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

/** JSON with object keys sorted at every depth. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const sorted: Record<string, unknown> = {};
      for (const k of Object.keys(v).sort()) sorted[k] = (v as Record<string, unknown>)[k];
      return sorted;
    }
    return v;
  });
}
