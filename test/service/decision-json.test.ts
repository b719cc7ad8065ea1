import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Decision } from '../../src/domain/compliance/evaluate-call.ts';
import { decisionJson } from '../../src/service/calls/decide.ts';

test('decisionJson is exactly the JSON round trip of a decision (dates as text, undefined left out)', () => {
  const at = new Date('2026-03-08T06:59:30.123Z');
  const decisions = [
    {
      outcome: 'allowed',
      rules: [
        { rule: 'dnc', result: 'pass', detail: 'Not on the list.', hint: undefined },
        { rule: 'window', result: 'defer', detail: 'Closed.', hint: 'Wait.' },
      ],
      zone: { zones: ['America/New_York', 'America/Chicago'], source: 'contact' },
      evaluatedAt: at,
      nextAllowedAt: null,
    },
    {
      outcome: 'deferred',
      rules: [],
      zone: { zones: [], source: 'campaign' },
      evaluatedAt: at,
      nextAllowedAt: new Date(at.getTime() + 3_600_000),
      extra: [undefined, Number.NaN, { nested: undefined, n: 1 }],
    },
  ] as unknown as Decision[];
  for (const decision of decisions)
    assert.deepEqual(decisionJson(decision), JSON.parse(JSON.stringify(decision)), 'same as the round trip');
});
