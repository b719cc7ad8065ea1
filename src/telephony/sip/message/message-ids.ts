import { randomFillSync } from 'node:crypto';
import { BRANCH_MAGIC_COOKIE } from './via.ts';

// One pooled random fill serves many ids: randomBytes() per id costs a syscall-sized call each,
// and ids are made several times per call attempt.
const POOL_SIZE = 4096;
const pool = Buffer.alloc(POOL_SIZE);
let offset = POOL_SIZE;

/** `bytes` random bytes as base64url: letters, digits, '-' and '_' are all token characters. */
function randomToken(bytes: number): string {
  if (offset + bytes > POOL_SIZE) {
    randomFillSync(pool);
    offset = 0;
  }
  const out = pool.toString('base64url', offset, offset + bytes);
  offset += bytes;
  return out;
}

/**
 * A new Via branch: the RFC 3261 §8.1.1.7 magic cookie `z9hG4bK` then 96 random bits, unique
 * across space and time as that section requires.
 */
export function newBranch(): string {
  return BRANCH_MAGIC_COOKIE + randomToken(12);
}

/** A new From/To tag: RFC 3261 §19.3 asks for at least 32 random bits; this has 72. */
export function newTag(): string {
  return randomToken(9);
}

/**
 * A new Call-ID (RFC 3261 §8.1.1.4): 144 random bits, then `@host` when given; `host` must be
 * a word (RFC 3261 §25.1), such as a hostname or IP address.
 */
export function newCallId(host?: string): string {
  const id = randomToken(18);
  return host ? `${id}@${host}` : id;
}

/** A new client nonce for digest authentication (RFC 7616 §3.4): 128 random bits. */
export function newCnonce(): string {
  return randomToken(16);
}
