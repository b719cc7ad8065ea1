import { randomFillSync } from 'node:crypto';

const POOL_SIZE = 4096;
const pool = Buffer.allocUnsafe(POOL_SIZE);
let offset = POOL_SIZE;

/**
 * `size` bytes from the CSPRNG, drawn from a 4 KiB pool refilled when spent: one
 * `randomFillSync` per ~250 ids instead of one per id (each call is a trip into OpenSSL that
 * cost ~2 % of the accept path's CPU). For ids only — secrets and salts take their own
 * `randomBytes`, so no key material ever sits in a shared buffer. The copy is the caller's.
 */
export function pooledRandomBytes(size: number): Buffer {
  if (size > POOL_SIZE) throw new RangeError(`at most ${POOL_SIZE} pooled random bytes`);
  if (offset + size > POOL_SIZE) {
    randomFillSync(pool);
    offset = 0;
  }
  const bytes = Buffer.from(pool.subarray(offset, offset + size));
  offset += size;
  return bytes;
}
