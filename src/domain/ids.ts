import { pooledRandomBytes } from './random-pool.ts';

/** Client-chosen ids: shared/api-contract.md "Id charset". */
export const ID_PATTERN = '^[A-Za-z0-9._:-]{1,128}$';

/** Prefixes of server-generated ids, by resource. */
export const ID_PREFIXES = {
  campaign: 'cmp',
  contact: 'ct',
  user: 'usr',
  call: 'call',
  tenant: 'ten',
  client: 'cli',
  webhook: 'wh',
  trunk: 'trk',
  attempt: 'att',
  event: 'evt',
  session: 'ses',
  consoleSession: 'css',
} as const;

/** A resource kind that has a generated id prefix. */
export type IdKind = keyof typeof ID_PREFIXES;

const CROCKFORD = '0123456789abcdefghjkmnpqrstvwxyz';

/**
 * A new prefixed id: 10 chars of millisecond time then 16 random chars (Crockford base32),
 * so generated ids sort by creation time and never collide in practice (80 random bits).
 */
export function newId(kind: IdKind): string {
  let time = Date.now();
  let head = '';
  for (let i = 0; i < 10; i++) {
    head = CROCKFORD[time % 32] + head;
    time = Math.floor(time / 32);
  }
  const bytes = pooledRandomBytes(16);
  let tail = '';
  for (const byte of bytes) tail += CROCKFORD[byte % 32];
  return `${ID_PREFIXES[kind]}_${head}${tail}`;
}
