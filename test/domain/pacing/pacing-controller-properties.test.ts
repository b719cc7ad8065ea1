import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import type { AgentSnapshot } from '../../../src/domain/pacing/abandon-forecast.ts';
import {
  DIALING_MODES,
  decideDials,
  type PacingInput,
} from '../../../src/domain/pacing/pacing-controller.ts';
import { PacingStatistics } from '../../../src/domain/pacing/pacing-statistics.ts';
import { runSimulation } from '../../../src/domain/pacing/simulator/simulate.ts';

/*
 * Properties of the pacing controller over arbitrary states: it never dials past the lines per
 * agent, the trunk or the ledger's cap; a restricted ledger, progressive and preview only dial
 * what available agents can take; and, in the simulator, progressive and preview never abandon.
 */

const agentArb: fc.Arbitrary<AgentSnapshot> = fc.record({
  state: fc.constantFrom('available', 'reserved', 'on_call', 'wrap_up', 'paused'),
  elapsedSeconds: fc.double({ min: 0, max: 900, noNaN: true }),
});

const measurementsArb = fc
  .record({
    live: fc.double({ min: 0, max: 1, noNaN: true }),
    machine: fc.double({ min: 0, max: 1, noNaN: true }),
    dials: fc.oneof(fc.integer({ min: 0, max: 400 }), fc.constant(400)),
    ringMin: fc.integer({ min: 1, max: 20 }),
    ringSpan: fc.integer({ min: 0, max: 30 }),
    talkMean: fc.integer({ min: 5, max: 600 }),
    wrap: fc.integer({ min: 0, max: 60 }),
    seed: fc.integer(),
  })
  .map((p) => {
    const stats = new PacingStatistics(500, p.talkMean);
    let x = p.seed >>> 0;
    const next = () => {
      x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
      return x / 2 ** 32;
    };
    const live = p.live;
    const machine = Math.min(p.machine, 1 - live);
    for (let i = 0; i < p.dials; i++) {
      const u = next();
      const outcome = u < live ? 'live' : u < live + machine ? 'machine' : 'no_answer';
      stats.recordDial(outcome, p.ringMin + p.ringSpan * next());
      if (outcome === 'live') stats.recordTalk(p.talkMean * (0.2 + 1.6 * next()));
      stats.recordWrap(p.wrap);
    }
    return stats.measurements();
  });

const inputArb: fc.Arbitrary<PacingInput> = fc
  .record({
    mode: fc.constantFrom(...DIALING_MODES),
    measurements: measurementsArb,
    agents: fc.array(agentArb, { maxLength: 60 }),
    ringingSeconds: fc.array(fc.double({ min: 0, max: 40, noNaN: true }), { maxLength: 120 }),
    reservedDials: fc.integer({ min: 0, max: 20 }),
    waitingAnswers: fc.integer({ min: 0, max: 5 }),
    linesPerAgent: fc.double({ min: 1, max: 5, noNaN: true }),
    trunkLines: fc.integer({ min: 0, max: 300 }),
    headroom: fc.oneof(fc.integer({ min: -20, max: 0 }), fc.integer({ min: 0, max: 50 })),
    restricted: fc.boolean(),
    maxAbandonRate: fc.constantFrom(0.03, 0.05, 0.01),
    riskBound: fc.oneof(fc.constant(1), fc.double({ min: 0, max: 1, noNaN: true })),
    ringTimeoutSeconds: fc.integer({ min: 15, max: 60 }),
  })
  .map((r) => ({
    mode: r.mode,
    measurements: r.measurements,
    agents: r.agents,
    ringingSeconds: r.ringingSeconds,
    reservedDials: r.reservedDials,
    waitingAnswers: r.waitingAnswers,
    limits: { linesPerAgent: r.linesPerAgent, trunkLines: r.trunkLines },
    ledger: { headroom: r.headroom, restricted: r.restricted, maxAbandonRate: r.maxAbandonRate },
    riskBound: r.riskBound,
    connectWithinSeconds: 2,
    ringTimeoutSeconds: r.ringTimeoutSeconds,
  }));

function counts(input: PacingInput) {
  const of = (state: AgentSnapshot['state']) => input.agents.filter((a) => a.state === state).length;
  const staffed = input.agents.length - of('paused');
  const linesHeld = input.ringingSeconds.length + input.reservedDials + input.waitingAnswers + of('on_call');
  return { available: of('available'), staffed, linesHeld };
}

describe('pacing controller properties', () => {
  test('never past the lines per agent or the trunk', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const decision = decideDials(input);
        const { staffed, linesHeld } = counts(input);
        const ringingAfter = input.ringingSeconds.length + input.reservedDials + decision.dials;
        assert.ok(Number.isInteger(decision.dials) && decision.dials >= 0, `dials ${decision.dials}`);
        if (decision.dials > 0) {
          assert.ok(
            ringingAfter <= input.limits.linesPerAgent * staffed + 1e-9,
            `${ringingAfter} ringing for ${staffed} agents at ${input.limits.linesPerAgent} lines each`,
          );
          assert.ok(
            linesHeld + decision.dials <= input.limits.trunkLines,
            `trunk ${input.limits.trunkLines}`,
          );
        }
      }),
      { numRuns: 300 },
    );
  });

  test('never past the ledger cap: new predictive dials fit in headroom + cap × their live answers', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const decision = decideDials(input);
        const { available } = counts(input);
        const safe = Math.max(0, available - input.ringingSeconds.length - input.waitingAnswers);
        if (decision.appliedMode !== 'predictive' || decision.dials <= safe) return;
        assert.ok(
          decision.expectedAbandons <= decision.allowedAbandons + 1e-9,
          `expects ${decision.expectedAbandons} abandons, ledger allows ${decision.allowedAbandons}`,
        );
        assert.ok(!input.ledger.restricted, 'a restricted ledger never dials predictively');
      }),
      { numRuns: 300 },
    );
  });

  test('the ledger binds: with no headroom, dials past the free agents only as far as 3 % of their live answers', () => {
    const stats = new PacingStatistics();
    for (let i = 0; i < 400; i++) {
      stats.recordDial(i % 2 === 0 ? 'live' : 'no_answer', 5 + (i % 25));
      stats.recordTalk(120);
      stats.recordWrap(10);
    }
    const agents: AgentSnapshot[] = [
      ...Array.from({ length: 2 }, () => ({ state: 'available' as const, elapsedSeconds: 5 })),
      ...Array.from({ length: 8 }, () => ({ state: 'on_call' as const, elapsedSeconds: 1 })),
    ];
    const decide = (headroom: number) =>
      decideDials({
        mode: 'predictive',
        measurements: stats.measurements(),
        agents,
        ringingSeconds: [],
        reservedDials: 0,
        waitingAnswers: 0,
        limits: { linesPerAgent: 3, trunkLines: 1000 },
        ledger: { headroom, restricted: false, maxAbandonRate: 0.03 },
        riskBound: 1,
        connectWithinSeconds: 2,
        ringTimeoutSeconds: 30,
      });
    const tight = decide(0);
    const loose = decide(50);
    assert.ok(tight.dials >= 2, `one dial per free agent at least, got ${tight.dials}`);
    assert.ok(tight.expectedAbandons <= tight.allowedAbandons + 1e-9, 'within the ledger');
    assert.ok(loose.dials > tight.dials, `headroom lets it dial more: ${loose.dials} vs ${tight.dials}`);
  });

  test('restricted, progressive and preview: one reserved agent per dial, never more dials than free agents', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const decision = decideDials(input);
        if (input.mode === 'predictive' && !input.ledger.restricted) return;
        const { available } = counts(input);
        assert.ok(decision.reserveAgents, 'agents are reserved');
        assert.notEqual(decision.appliedMode, 'predictive');
        // Answers ringing or waiting may take an available agent: only the rest get a dial.
        const free = Math.max(0, available - input.ringingSeconds.length - input.waitingAnswers);
        assert.ok(decision.dials <= free, `${decision.dials} dials with ${free} free agents`);
      }),
      { numRuns: 300 },
    );
  });

  test('predictive starts at one dial per available agent until the measurements mean something', () => {
    const agents: AgentSnapshot[] = Array.from({ length: 10 }, () => ({
      state: 'available',
      elapsedSeconds: 0,
    }));
    const decision = decideDials({
      mode: 'predictive',
      measurements: new PacingStatistics().measurements(),
      agents,
      ringingSeconds: [],
      reservedDials: 0,
      waitingAnswers: 0,
      limits: { linesPerAgent: 3, trunkLines: 1000 },
      ledger: { headroom: 100, restricted: false, maxAbandonRate: 0.03 },
      riskBound: 1,
      connectWithinSeconds: 2,
      ringTimeoutSeconds: 30,
    });
    assert.deepEqual([decision.dials, decision.reason, decision.reserveAgents], [10, 'one_per_agent', false]);
  });

  test('in the simulator, progressive and preview never abandon', () => {
    fc.assert(
      fc.property(
        fc.record({
          mode: fc.constantFrom('progressive' as const, 'preview' as const),
          agents: fc.integer({ min: 1, max: 15 }),
          answerRate: fc.double({ min: 0.05, max: 0.9, noNaN: true }),
          machineRate: fc.double({ min: 0, max: 0.1, noNaN: true }),
          ringMinSeconds: fc.integer({ min: 1, max: 10 }),
          ringSpan: fc.integer({ min: 0, max: 30 }),
          talkMeanSeconds: fc.integer({ min: 10, max: 300 }),
          wrapSeconds: fc.integer({ min: 0, max: 30 }),
          trunkLines: fc.option(fc.integer({ min: 1, max: 20 }), { nil: undefined }),
          seed: fc.integer({ min: 0, max: 2 ** 31 }),
        }),
        (p) => {
          const { summary, attempts } = runSimulation({
            ...p,
            hours: 0.5,
            ringMaxSeconds: p.ringMinSeconds + p.ringSpan,
            abandonTarget: 0.03,
          });
          assert.equal(summary.abandoned, 0, `${summary.mode} abandoned ${summary.abandoned}`);
          assert.ok(
            attempts.every((a) => a.connectedAfterSeconds === 0),
            'every live answer found its reserved agent at once',
          );
        },
      ),
      { numRuns: 25 },
    );
  });
});
