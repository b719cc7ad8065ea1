import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type AnswerActions, stepForVerdict } from '../../src/domain/answer-action.ts';

const hangUpAll: AnswerActions = { machineAction: 'hangup', silenceAction: 'hangup' };
const keepAll: AnswerActions = { machineAction: 'connect', silenceAction: 'connect' };

test('a person, and what the analyser could not classify, always go to the agent', () => {
  for (const actions of [hangUpAll, keepAll]) {
    assert.deepEqual(stepForVerdict('human', actions), { kind: 'connect' });
    assert.deepEqual(stepForVerdict('unknown', actions), { kind: 'connect' });
  }
});

test('a machine follows machineAction', () => {
  assert.deepEqual(stepForVerdict('machine', hangUpAll), { kind: 'hang_up', outcome: 'machine' });
  assert.deepEqual(stepForVerdict('machine', keepAll), { kind: 'connect' });
  assert.deepEqual(stepForVerdict('machine', { machineAction: 'leave_message', silenceAction: 'connect' }), {
    kind: 'leave_message',
  });
});

test('fax and special information tones end the call whatever the campaign says', () => {
  for (const actions of [hangUpAll, keepAll]) {
    assert.deepEqual(stepForVerdict('fax', actions), { kind: 'hang_up', outcome: 'fax' });
    assert.deepEqual(stepForVerdict('invalid_number', actions), {
      kind: 'hang_up',
      outcome: 'invalid_number',
    });
  }
});

test('silence is connected, or abandoned with the abandon message (it may be a person)', () => {
  assert.deepEqual(stepForVerdict('silence', keepAll), { kind: 'connect' });
  assert.deepEqual(stepForVerdict('silence', hangUpAll), { kind: 'abandon' });
});
