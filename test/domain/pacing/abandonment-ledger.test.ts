import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  computeAbandonmentLedger,
  type LedgerAttempt,
} from '../../../src/domain/pacing/abandonment-ledger.ts';
import { ABANDONMENT_RULES, mayRedialAfterAbandon } from '../../../src/domain/pacing/abandonment-rules.ts';

const DAY = 86_400_000;
const START = Date.UTC(2026, 0, 1, 9); // 2026-01-01 09:00 UTC

/** `live` live answers on day `day` (0 = START's day), the first `abandoned` of them abandoned. */
function day(dayIndex: number, live: number, abandoned: number): LedgerAttempt[] {
  return Array.from({ length: live }, (_, i) => ({
    liveAnsweredAt: START + dayIndex * DAY + i * 1000,
    abandoned: i < abandoned,
  }));
}

describe('abandonment ledger', () => {
  test('per day and rolling 30 days, from attempt records only; unanswered attempts do not count', () => {
    const attempts = [
      ...day(0, 100, 2),
      ...day(10, 50, 1),
      ...day(40, 200, 4),
      { liveAnsweredAt: null, abandoned: false },
    ];
    const ledger = computeAbandonmentLedger(attempts, ABANDONMENT_RULES.us_fcc, START + 40 * DAY + 3_600_000);
    assert.deepEqual(
      ledger.days.map((d) => [d.day, d.liveAnswers, d.abandoned]),
      [
        ['2026-01-01', 100, 2],
        ['2026-01-11', 50, 1],
        ['2026-02-10', 200, 4],
      ],
    );
    // Days 0 and 10 are more than 30 days before day 40.
    assert.deepEqual(ledger.rolling30Days, { liveAnswers: 200, abandoned: 4, rate: 0.02 });
    assert.deepEqual(ledger.today, { liveAnswers: 200, abandoned: 4, rate: 0.02 });
    assert.equal(ledger.headroom, 2, '⌊3 % of 200⌋ − 4');
    assert.equal(ledger.restricted, false);
  });

  test('US FCC caps the 30-day rate: a bad day inside a good month is not restricted; UK Ofcom caps the day', () => {
    const attempts = [...day(0, 1000, 10), ...day(1, 100, 4)];
    const at = START + DAY + 3_600_000;
    const fcc = computeAbandonmentLedger(attempts, ABANDONMENT_RULES.us_fcc, at);
    assert.equal(fcc.governing.abandoned, 14);
    assert.equal(fcc.restricted, false, '14/1100 = 1.3 % over 30 days');
    const ofcom = computeAbandonmentLedger(attempts, ABANDONMENT_RULES.uk_ofcom, at);
    assert.deepEqual(ofcom.governing, { liveAnswers: 100, abandoned: 4, rate: 0.04 });
    assert.equal(ofcom.restricted, true, '4 % today');
    assert.equal(ofcom.headroom, -1);
  });

  test('restricted once the cap is reached, not before; no answers is not restricted', () => {
    const rules = ABANDONMENT_RULES.us_fcc;
    assert.equal(computeAbandonmentLedger([], rules, START).restricted, false);
    assert.equal(computeAbandonmentLedger(day(0, 101, 3), rules, START + DAY / 2).restricted, false);
    assert.equal(computeAbandonmentLedger(day(0, 100, 3), rules, START + DAY / 2).restricted, true);
  });

  test('days follow the campaign offset; answers after `at` are not in the ledger yet', () => {
    const late = [{ liveAnsweredAt: Date.UTC(2026, 0, 1, 23, 30), abandoned: true }];
    const utc = computeAbandonmentLedger(late, ABANDONMENT_RULES.uk_ofcom, Date.UTC(2026, 0, 2, 0, 30));
    assert.equal(utc.today.liveAnswers, 0, 'the answer was yesterday in UTC');
    const london = computeAbandonmentLedger(
      late,
      ABANDONMENT_RULES.uk_ofcom,
      Date.UTC(2026, 0, 2, 0, 30),
      60,
    );
    assert.equal(london.today.liveAnswers, 1, 'the same day at UTC+1');
    const before = computeAbandonmentLedger(late, ABANDONMENT_RULES.uk_ofcom, Date.UTC(2026, 0, 1, 12));
    assert.equal(before.days.length, 0);
  });

  test('Ofcom: no redial within 72 h of an abandon unless an agent is reserved; FCC has no such rule', () => {
    const abandonedAt = START;
    const ofcom = ABANDONMENT_RULES.uk_ofcom;
    assert.equal(mayRedialAfterAbandon(ofcom, abandonedAt, START + 71 * 3_600_000, false), false);
    assert.equal(mayRedialAfterAbandon(ofcom, abandonedAt, START + 71 * 3_600_000, true), true);
    assert.equal(mayRedialAfterAbandon(ofcom, abandonedAt, START + 72 * 3_600_000, false), true);
    assert.equal(mayRedialAfterAbandon(ofcom, null, START, false), true);
    assert.equal(mayRedialAfterAbandon(ABANDONMENT_RULES.us_fcc, abandonedAt, START + 1, false), true);
  });

  test('both jurisdictions: 2-second connect window, at least 15 s of ring before no-answer, 3 % cap', () => {
    for (const rules of Object.values(ABANDONMENT_RULES)) {
      assert.deepEqual(
        [rules.connectWithinSeconds, rules.minRingSecondsBeforeNoAnswer, rules.maxAbandonRate],
        [2, 15, 0.03],
        rules.jurisdiction,
      );
    }
  });
});
