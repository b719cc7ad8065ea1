import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ReceiveStatistics } from '../../../src/telephony/rtp/receive-statistics.ts';

/** Feeds packets of 160 samples each arriving exactly every 20 ms unless `at` says otherwise. */
function feed(stats: ReceiveStatistics, sequences: number[], at?: (i: number) => number) {
  return sequences.map(
    (sequence, i) => stats.record(sequence & 0xffff, (sequence * 160) >>> 0, at ? at(i) : i * 20).verdict,
  );
}

describe('reception statistics (RFC 3550 A.1, A.3, A.8)', () => {
  test('a clean stream: nothing lost, no jitter', () => {
    const stats = new ReceiveStatistics();
    feed(
      stats,
      Array.from({ length: 100 }, (_, i) => 1000 + i),
    );
    const summary = stats.summary();
    assert.equal(summary.packets, 100);
    assert.equal(summary.expected, 100);
    assert.equal(summary.lost, 0);
    assert.equal(summary.jitterMs, 0);
  });

  test('loss, a reordered pair and a duplicate are told apart', () => {
    const stats = new ReceiveStatistics();
    const verdicts = feed(stats, [1, 2, 4, 3, 3, 5, 8, 9, 10]);
    assert.deepEqual(verdicts, ['new', 'new', 'new', 'new', 'duplicate', 'new', 'new', 'new', 'new']);
    const summary = stats.summary();
    assert.equal(summary.expected, 10);
    assert.equal(summary.packets, 8);
    assert.equal(summary.lost, 2); // 6 and 7
    assert.equal(summary.duplicates, 1);
  });

  test('the sequence number wraps into the next cycle', () => {
    const stats = new ReceiveStatistics();
    feed(stats, [65533, 65534, 65535, 65536, 65537]);
    const summary = stats.summary();
    assert.equal(summary.expected, 5);
    assert.equal(summary.lost, 0);
    assert.equal(summary.highestSequence, 65536 + 1);
    // A late packet from before the wrap still counts as the earlier cycle's.
    const late = new ReceiveStatistics();
    assert.deepEqual(feed(late, [65534, 0, 65535, 1]), ['new', 'new', 'new', 'new']);
    assert.equal(late.summary().lost, 0);
  });

  test('a big jump is believed only when the next packet follows it (a restarted source)', () => {
    const stats = new ReceiveStatistics();
    assert.deepEqual(feed(stats, [10, 11, 30000, 12, 40000, 40001, 40002]), [
      'new',
      'new',
      'jump',
      'new',
      'jump',
      'new',
      'new',
    ]);
    const summary = stats.summary();
    assert.equal(summary.lost, 0);
    assert.equal(summary.packets, 5);
  });

  test('jitter follows J += (|D| − J)/16 in timestamp units, reported in ms', () => {
    const stats = new ReceiveStatistics();
    // Every other packet arrives 4 ms late: |D| alternates 32 units (4 ms at 8 kHz).
    feed(
      stats,
      Array.from({ length: 400 }, (_, i) => i),
      (i) => i * 20 + (i % 2) * 4,
    );
    const jitterMs = stats.summary().jitterMs;
    assert.ok(Math.abs(jitterMs - 4) < 0.1, `jitter ${jitterMs} ms, expected about 4`);
    assert.equal(stats.report().jitter, 32);
  });

  test('the report block gives fraction lost since the previous report', () => {
    const stats = new ReceiveStatistics();
    feed(stats, [0, 1, 2, 3]);
    assert.equal(stats.report().fractionLost, 0);
    feed(stats, [5, 7]); // of 4, 5, 6, 7: two lost
    const report = stats.report();
    assert.equal(report.fractionLost, 128);
    assert.equal(report.cumulativeLost, 2);
    assert.equal(report.highestSequence, 7);
  });
});
