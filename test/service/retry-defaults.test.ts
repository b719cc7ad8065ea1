// The default retry policy decides the new outcomes: a machine is tried again after an hour
// (within the attempt cap), a fax or an invalid number never.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { chooseRetry } from '../../src/dialer/retry-policy.ts';
import { DEFAULT_RETRY_POLICY } from '../../src/service/resources/campaigns.ts';

describe('default retry policy', () => {
  test('machine retries after an hour while attempts remain; fax and invalid_number never', () => {
    assert.deepEqual(chooseRetry('machine', DEFAULT_RETRY_POLICY, 1, 3, 0), {
      retry: true,
      delaySeconds: 3600,
      why: 'machine: retry in 3600 s',
    });
    assert.equal(chooseRetry('machine', DEFAULT_RETRY_POLICY, 3, 3, 0).retry, false);
    assert.equal(chooseRetry('fax', DEFAULT_RETRY_POLICY, 1, 3, 0).retry, false);
    assert.equal(chooseRetry('invalid_number', DEFAULT_RETRY_POLICY, 1, 3, 0).retry, false);
    assert.equal(chooseRetry('abandoned', DEFAULT_RETRY_POLICY, 1, 3, 0).retry, false);
  });
});
