import assert from 'node:assert/strict';
import { test } from 'node:test';
import { localMinutes } from '../../src/domain/compliance/calling-window.ts';

/** Local minutes computed from scratch, without the per-zone memo. */
function fresh(instant: Date, zone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hourCycle: 'h23',
    hour: '2-digit',
    minute: '2-digit',
  }).formatToParts(instant);
  const value = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  return value('hour') * 60 + value('minute');
}

test('the per-zone memo of localMinutes answers what a fresh computation does, across DST and odd offsets', () => {
  const zones = ['America/New_York', 'Australia/Lord_Howe', 'Asia/Kathmandu', 'Europe/London', 'UTC'];
  // Around New York's and London's 2026 shifts, Lord Howe's half-hour one, and a pre-1972
  // instant (Monrovia's −0:44:30 offset) that must never be served from the memo.
  const starts = [
    Date.UTC(2026, 2, 8, 6, 58, 30),
    Date.UTC(2026, 2, 29, 0, 58, 30),
    Date.UTC(2026, 3, 4, 14, 58, 30),
    Date.UTC(1970, 5, 1, 12, 0, 10),
  ];
  for (const start of starts)
    for (let step = 0; step < 300; step++) {
      // Seconds apart and out of order, so memo hits and misses interleave across zones.
      const at = new Date(start + ((step * 7919) % 300) * 20_000);
      for (const zone of [...zones, 'Africa/Monrovia'])
        assert.equal(localMinutes(at, zone), fresh(at, zone), `${zone} at ${at.toISOString()}`);
    }
});
