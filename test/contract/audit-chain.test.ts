import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import {
  type AuditChainFields,
  auditEntryHash,
  auditEntryTextAroundSequence,
  GENESIS_HASH,
} from '../../src/contract/audit-chain.ts';

const entry: AuditChainFields = {
  chain: 'ten_1',
  sequence: 42,
  tenantId: 'ten_1',
  requestId: 'req_1',
  clientId: 'cli',
  method: 'POST',
  route: '/v1/calls',
  path: '/v1/calls?x="1"',
  status: 202,
  code: null,
  durationMs: 3.25,
  bodyDigest: 'sha256:00',
  body: { z: [1, { b: 2, a: '東京' }], a: null },
  at: '2026-11-27T12:00:00.000Z',
};

test('an entry hash is SHA-256 over the previous hash, a newline and the canonical field array (stored chains keep verifying)', () => {
  // The format every stored chain was hashed with: the fields in this order, object keys sorted.
  const canonical =
    '["ten_1",42,"ten_1","req_1","cli","POST","/v1/calls","/v1/calls?x=\\"1\\"",202,null,3.25,' +
    '"sha256:00",{"a":null,"z":[1,{"a":"東京","b":2}]},"2026-11-27T12:00:00.000Z"]';
  const expected = createHash('sha256').update(`${GENESIS_HASH}\n${canonical}`).digest('hex');
  assert.equal(auditEntryHash(GENESIS_HASH, entry), expected);
  const { prefix, suffix } = auditEntryTextAroundSequence(entry);
  assert.equal(`${prefix}${entry.sequence}${suffix}`, canonical);
});

test('a clientRequestId is covered by the hash (appended last) only when present, so entries without one keep their hash', () => {
  assert.equal(
    auditEntryHash(GENESIS_HASH, { ...entry, clientRequestId: null }),
    auditEntryHash(GENESIS_HASH, entry),
  );
  const withId = { ...entry, clientRequestId: 'my-trace-1' };
  const { prefix, suffix } = auditEntryTextAroundSequence(withId);
  assert.ok(`${prefix}${withId.sequence}${suffix}`.endsWith(',"2026-11-27T12:00:00.000Z","my-trace-1"]'));
  assert.notEqual(auditEntryHash(GENESIS_HASH, withId), auditEntryHash(GENESIS_HASH, entry));
  assert.notEqual(
    auditEntryHash(GENESIS_HASH, withId),
    auditEntryHash(GENESIS_HASH, { ...entry, clientRequestId: 'my-trace-2' }),
    'altering the client id breaks the link',
  );
});
