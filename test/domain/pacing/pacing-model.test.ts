import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type AgentSnapshot, forecastAbandons } from '../../../src/domain/pacing/abandon-forecast.ts';
import { PacingStatistics } from '../../../src/domain/pacing/pacing-statistics.ts';
import { RiskBoundTuner, safePoissonMean } from '../../../src/domain/pacing/risk-bound-tuner.ts';

function measurements() {
  const stats = new PacingStatistics();
  for (let i = 0; i < 400; i++) {
    stats.recordDial(i % 4 === 0 ? 'live' : i % 10 === 1 ? 'machine' : 'no_answer', 5 + (i % 26));
    stats.recordTalk(60 + (i % 120));
    stats.recordWrap(10);
  }
  return stats.measurements();
}

const forecast = (agents: AgentSnapshot[], ringingSeconds: number[] = []) =>
  forecastAbandons({
    measurements: measurements(),
    agents,
    ringingSeconds,
    waitingAnswers: 0,
    connectWithinSeconds: 2,
    horizonSeconds: 30,
  });

describe('abandon forecast', () => {
  test('measurements: rates and ring times as recorded', () => {
    const m = measurements();
    assert.equal(m.dials, 400);
    assert.equal(m.liveRate, 0.25);
    assert.ok(Math.abs(m.machineRate - 0.1) < 0.01, `machine rate ${m.machineRate}`);
    assert.ok(m.ring.cdf(4.9) === 0 && m.ring.cdf(31) === 1, 'answered rings between 5 and 31 s');
  });

  test('more dials, more expected abandons; more free agents, fewer', () => {
    const busy = Array.from({ length: 10 }, () => ({ state: 'on_call' as const, elapsedSeconds: 5 }));
    const few = forecast([{ state: 'available', elapsedSeconds: 0 }, ...busy]);
    const many = forecast([
      ...Array.from({ length: 6 }, () => ({ state: 'available' as const, elapsedSeconds: 0 })),
      ...busy,
    ]);
    let previous = -1;
    for (const n of [0, 2, 4, 8, 16]) {
      const expected = few.expectedAbandons(n);
      assert.ok(expected >= previous, `E(${n}) = ${expected} < ${previous}`);
      previous = expected;
      assert.ok(many.expectedAbandons(n) <= expected + 1e-12, `${n} dials: more agents, fewer abandons`);
    }
    // 16 dials bring about 4 live answers for 1 free agent: most of the other 3 are abandoned.
    assert.ok(few.expectedAbandons(16) > 2, `E(16) = ${few.expectedAbandons(16)}`);
    assert.ok(few.liveAnswersPerDial > 0.24 && few.liveAnswersPerDial <= 0.25, 'a dial brings pLive');
  });

  test('an agent whose wrap-up ends before any answer can come covers a dial', () => {
    const wrapping = forecast([{ state: 'wrap_up', elapsedSeconds: 8 }]);
    const talking = forecast([{ state: 'on_call', elapsedSeconds: 1 }]);
    // Truly 0 and about 0.25 (one live answer in four, with nobody free); the normal tails of
    // the forecast leave a little on the first, which the tuner absorbs.
    assert.ok(wrapping.expectedAbandons(1) < 0.05, `wrap-up: ${wrapping.expectedAbandons(1)}`);
    assert.ok(talking.expectedAbandons(1) > 0.15, `just started talking: ${talking.expectedAbandons(1)}`);
  });
});

describe('risk-bound tuner', () => {
  test('Poisson set points: the largest mean whose count stays within the allowance at 99 %', () => {
    assert.ok(Math.abs(safePoissonMean(0, 0.99) - -Math.log(0.99)) < 1e-6);
    const m = safePoissonMean(2, 0.99);
    const p = Math.exp(-m) * (1 + m + (m * m) / 2);
    assert.ok(Math.abs(p - 0.99) < 1e-6, `P(X ≤ 2) = ${p}`);
  });

  test('small teams get a lower set point than large ones', () => {
    const setPointAt = (perHour: number) => {
      const tuner = new RiskBoundTuner({ maxAbandonRate: 0.03 });
      for (let i = 0; i < perHour; i++) tuner.observe((i * 3_600_000) / perHour, false);
      return tuner.setPoint;
    };
    const small = setPointAt(80);
    const large = setPointAt(1300);
    assert.ok(small < 0.01 && large > 0.015 && large < 0.03, `80/h: ${small}, 1,300/h: ${large}`);
  });

  test('abandons above the set point lower the risk bound; none raise it', () => {
    const calm = new RiskBoundTuner({ maxAbandonRate: 0.03 });
    const rough = new RiskBoundTuner({ maxAbandonRate: 0.03 });
    for (let i = 0; i < 500; i++) {
      calm.observe(i * 3_000, false);
      rough.observe(i * 3_000, i % 10 === 0);
    }
    assert.ok(calm.riskBound > 0.03, `calm ${calm.riskBound}`);
    assert.ok(rough.riskBound < 0.03, `rough ${rough.riskBound}`);
    assert.ok(rough.riskBound >= 0.003 && calm.riskBound <= 0.5, 'within its bounds');
  });
});
