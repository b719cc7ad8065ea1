import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { localMinutes, localMinutes as minutesIn } from '../../src/domain/compliance/calling-window.ts';
import {
  evaluateCall,
  isWithinWindow,
  nextCommonOpening,
  zoneForContact,
} from '../../src/domain/compliance/index.ts';

const ZONES = Intl.supportedValuesOf('timeZone');
const zone = fc.constantFrom(...ZONES);
const hhmm = fc
  .tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }))
  .map(([h, m]) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`);
const window = fc.record({ start: hhmm, end: hhmm });
// 2020–2030, which crosses every zone's DST changes many times.
const instant = fc
  .integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2030, 11, 31) })
  .map((ms) => new Date(ms));
const toMinutes = (t: string) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3));
const inside = (minutes: number, w: { start: string; end: string }) => {
  const s = toMinutes(w.start);
  const e = toMinutes(w.end);
  return s === e || (s < e ? minutes >= s && minutes < e : minutes >= s || minutes < e);
};

const baseFacts = {
  dnc: false,
  attemptsMade: 0,
  maxAttempts: 3,
  minRedialGapSeconds: 0,
  outsideWindow: 'schedule' as const,
};

describe('compliance properties', () => {
  test('allowed ⇒ the local wall clock is inside the window in every zone', () => {
    fc.assert(
      fc.property(fc.array(zone, { minLength: 1, maxLength: 3 }), instant, window, (zones, at, w) => {
        const decision = evaluateCall({ ...baseFacts, at, window: w, zones: { zones, source: 'contact' } });
        if (decision.outcome !== 'allowed') return true;
        return zones.every((z) => inside(minutesIn(at, z), w));
      }),
      { numRuns: 500 },
    );
  });

  test('nextAllowedAt is not before the evaluation, is itself allowed, and nothing earlier on the minute grid is', () => {
    fc.assert(
      fc.property(zone, instant, window, (z, at, w) => {
        const decision = evaluateCall({
          ...baseFacts,
          at,
          window: w,
          zones: { zones: [z], source: 'contact' },
        });
        if (decision.nextAllowedAt === null) return true;
        const next = decision.nextAllowedAt;
        assert.ok(next.getTime() >= at.getTime());
        assert.ok(isWithinWindow(next, w, z), `${next.toISOString()} not inside ${w.start}-${w.end} in ${z}`);
        const again = evaluateCall({
          ...baseFacts,
          at: next,
          window: w,
          zones: { zones: [z], source: 'contact' },
        });
        assert.equal(again.outcome, 'allowed');
        // No earlier whole minute between `at` and `next` is inside the window.
        const firstMinute = Math.ceil(at.getTime() / 60_000) * 60_000;
        for (let t = firstMinute; t < next.getTime(); t += 60_000) {
          if (isWithinWindow(new Date(t), w, z)) return false;
        }
        return true;
      }),
      { numRuns: 150 },
    );
  });

  test('DNC, revoked consent and a reached cap are refused at every instant, with no next time', () => {
    fc.assert(
      fc.property(
        zone,
        instant,
        window,
        fc.constantFrom('dnc', 'consent', 'cap'),
        fc.integer({ min: 1, max: 10 }),
        (z, at, w, reason, max) => {
          const decision = evaluateCall({
            ...baseFacts,
            at,
            window: w,
            zones: { zones: [z], source: 'contact' },
            dnc: reason === 'dnc',
            consent: reason === 'consent' ? { status: 'revoked', source: 'sms STOP' } : undefined,
            maxAttempts: max,
            attemptsMade: reason === 'cap' ? max + (at.getTime() % 3) : 0,
          });
          return decision.outcome === 'refused' && decision.nextAllowedAt === null;
        },
      ),
      { numRuns: 500 },
    );
  });

  test('attempts below the cap are never refused by the cap; at the cap always', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 1, max: 20 }), (made, max) => {
        const decision = evaluateCall({
          ...baseFacts,
          at: new Date(Date.UTC(2026, 5, 1, 12)),
          window: { start: '00:00', end: '00:00' },
          zones: { zones: ['UTC'], source: 'default' },
          attemptsMade: made,
          maxAttempts: max,
        });
        return (decision.outcome === 'allowed') === made < max;
      }),
      { numRuns: 300 },
    );
  });
});

describe('DST and zones, concrete cases', () => {
  test('New York spring forward: a 02:30 opening starts at 03:00 local', () => {
    const at = new Date('2026-03-08T06:00:00Z'); // 01:00 EST
    const next = nextCommonOpening(at, { start: '02:30', end: '05:00' }, ['America/New_York']);
    assert.equal(next?.toISOString(), '2026-03-08T07:00:00.000Z'); // 03:00 EDT
  });
  test('London fall back: 08:00 local is 08:00 UTC after the change', () => {
    const next = nextCommonOpening(new Date('2026-10-25T02:00:00Z'), { start: '08:00', end: '21:00' }, [
      'Europe/London',
    ]);
    assert.equal(next?.toISOString(), '2026-10-25T08:00:00.000Z');
  });
  test('Kathmandu (+05:45) and an overnight window', () => {
    assert.equal(localMinutes(new Date('2026-01-01T00:00:00Z'), 'Asia/Kathmandu'), 5 * 60 + 45);
    assert.ok(
      isWithinWindow(new Date('2026-01-01T16:30:00Z'), { start: '22:00', end: '06:00' }, 'Asia/Kathmandu'),
    );
  });
  test('zones from numbers: area codes, countries, contact override, fallback', () => {
    assert.deepEqual(zoneForContact({ timezone: null, number: '+12125550100', fallbackTimezone: null }), {
      zones: ['America/New_York'],
      source: 'number_area_code',
    });
    assert.deepEqual(
      zoneForContact({ timezone: null, number: '+12135550100', fallbackTimezone: null }).zones,
      ['America/Los_Angeles'],
    );
    assert.deepEqual(zoneForContact({ timezone: null, number: '+447911123456', fallbackTimezone: null }), {
      zones: ['Europe/London'],
      source: 'number_country',
    });
    assert.ok(
      zoneForContact({ timezone: null, number: '+79161234567', fallbackTimezone: null }).zones.length > 5,
      'Russia spans many zones',
    );
    assert.deepEqual(
      zoneForContact({ timezone: 'Europe/Paris', number: '+12125550100', fallbackTimezone: null }).source,
      'contact',
    );
    assert.deepEqual(
      zoneForContact({ timezone: null, number: '+12125550100', fallbackTimezone: 'Asia/Tokyo' }).source,
      'number_area_code',
    );
  });
  test('zones 12 h apart with a short window have no common opening', () => {
    assert.equal(
      nextCommonOpening(new Date('2026-06-01T00:00:00Z'), { start: '09:00', end: '10:00' }, [
        'Asia/Tokyo',
        'America/New_York',
      ]),
      null,
    );
  });
});
