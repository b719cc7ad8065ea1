import type { AuditEvent, PconnClient } from 'pconn/sdk';

const GENESIS_HASH = '0'.repeat(64);

/** JSON with object keys sorted at every depth (what pconn hashes: `replacerCanonicalJson` in src/contract/canonical-json.ts). */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const sorted: Record<string, unknown> = {};
      for (const k of Object.keys(v).sort()) sorted[k] = (v as Record<string, unknown>)[k];
      return sorted;
    }
    return v;
  });
}

/** SHA-256 (hex) of an entry linked to the previous hash, as pconn computes it, with WebCrypto. */
async function entryHash(prevHash: string, e: AuditEvent): Promise<string> {
  const fields: unknown[] = [
    e.chain,
    e.sequence,
    e.tenantId,
    e.requestId,
    e.clientId,
    e.method,
    e.route,
    e.path,
    e.status,
    e.code,
    e.durationMs,
    e.bodyDigest,
    e.body,
    e.at,
  ];
  if (e.clientRequestId != null) fields.push(e.clientRequestId);
  const text = `${prevHash}\n${canonicalJson(fields)}`;
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * Re-computes the tenant's audit chain in the browser from the entries the API returns, up to
 * the head read first (like `pconn audit verify`), and answers a one-line verdict.
 */
export async function verifyChain(client: PconnClient): Promise<string> {
  const head = await client.audit.head();
  let expectedPrev = GENESIS_HASH;
  let expectedSequence = 1;
  let count = 0;
  for await (const entry of client.audit.search({})) {
    if (entry.sequence > head.sequence) break;
    count++;
    const where = `sequence ${entry.sequence} (request ${entry.requestId})`;
    if (entry.sequence !== expectedSequence) return `BROKEN at ${where}: an entry is missing before it.`;
    if (entry.prevHash !== expectedPrev) return `BROKEN at ${where}: it does not link to the entry before.`;
    if ((await entryHash(entry.prevHash, entry)) !== entry.hash)
      return `BROKEN at ${where}: its content was altered.`;
    expectedPrev = entry.hash;
    expectedSequence = entry.sequence + 1;
  }
  if (expectedSequence - 1 !== head.sequence || (count > 0 && expectedPrev !== head.hash))
    return `BROKEN: the entries end at ${expectedSequence - 1}, the head is at ${head.sequence}.`;
  return `Chain intact: ${count} entries verified up to the head (${head.sequence}).`;
}
