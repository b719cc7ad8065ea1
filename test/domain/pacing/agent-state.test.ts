import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  AGENT_STATES,
  type AgentEvent,
  agentLoggedIn,
  canTransition,
  InvalidAgentTransitionError,
  transitionAgent,
} from '../../../src/domain/agent-state.ts';
import { ConflictError } from '../../../src/domain/pconn-error.ts';

describe('agent state machine', () => {
  test('a predictive cycle: available → on_call → wrap_up → available, each change with its duration', () => {
    let state = agentLoggedIn(1_000);
    const changes = [];
    for (const [event, at] of [
      [{ type: 'connect', callId: 'c1' }, 31_000],
      [{ type: 'hang_up' }, 151_000],
      [{ type: 'disposition', code: 'sale' }, 156_000],
    ] as Array<[AgentEvent, number]>) {
      const next = transitionAgent(state, event, at);
      state = next.state;
      changes.push(next.change);
    }
    assert.deepEqual(
      changes.map((c) => [c.from, c.to, c.durationMs, c.callId]),
      [
        ['available', 'on_call', 30_000, 'c1'],
        ['on_call', 'wrap_up', 120_000, 'c1'],
        ['wrap_up', 'available', 5_000, 'c1'],
      ],
    );
    assert.equal(changes[2]?.dispositionCode, 'sale');
    assert.equal(state.name, 'available');
    assert.equal(state.callId, undefined, 'an available agent holds no call');
  });

  test('progressive: reserved for a dial, released when nobody answers; wrap-up ends by timeout', () => {
    const reserved = transitionAgent(agentLoggedIn(0), { type: 'reserve', callId: 'd1' }, 10);
    assert.equal(reserved.state.name, 'reserved');
    assert.equal(reserved.state.callId, 'd1');
    const released = transitionAgent(reserved.state, { type: 'release' }, 30_010);
    assert.deepEqual([released.change.to, released.change.durationMs], ['available', 30_000]);
    const onCall = transitionAgent(
      transitionAgent(released.state, { type: 'reserve', callId: 'd2' }, 30_020).state,
      { type: 'connect', callId: 'd2' },
      40_000,
    );
    const wrap = transitionAgent(onCall.state, { type: 'hang_up' }, 100_000);
    const done = transitionAgent(wrap.state, { type: 'wrap_timeout' }, 110_000);
    assert.deepEqual(
      [done.change.from, done.change.to, done.change.durationMs],
      ['wrap_up', 'available', 10_000],
    );
  });

  test('paused carries its reason into the pause and out of it', () => {
    const paused = transitionAgent(agentLoggedIn(0), { type: 'pause', reason: 'break' }, 5);
    assert.equal(paused.state.pauseReason, 'break');
    const back = transitionAgent(paused.state, { type: 'resume' }, 905);
    assert.deepEqual(
      [back.change.pauseReason, back.change.durationMs, back.state.name],
      ['break', 900, 'available'],
    );
  });

  test('every refused transition is a typed conflict naming the state and the event', () => {
    const events: AgentEvent[] = [
      { type: 'reserve', callId: 'x' },
      { type: 'release' },
      { type: 'connect', callId: 'x' },
      { type: 'hang_up' },
      { type: 'disposition', code: 'x' },
      { type: 'wrap_timeout' },
      { type: 'pause', reason: 'x' },
      { type: 'resume' },
    ];
    let refused = 0;
    for (const name of AGENT_STATES) {
      for (const event of events) {
        const state = { name, since: 0 };
        if (canTransition(state, event.type)) continue;
        refused += 1;
        assert.throws(
          () => transitionAgent(state, event, 1),
          (error: unknown) =>
            error instanceof InvalidAgentTransitionError &&
            error instanceof ConflictError &&
            error.code === 'conflict' &&
            error.extensions.agentState === name &&
            error.extensions.agentEvent === event.type,
          `${name} + ${event.type} must be refused`,
        );
      }
    }
    // 5 states × 8 events, 10 allowed.
    assert.equal(refused, 30);
  });

  test('a late event never gives a negative duration', () => {
    const next = transitionAgent({ name: 'available', since: 1_000 }, { type: 'pause', reason: 'x' }, 500);
    assert.equal(next.change.durationMs, 0);
  });
});
