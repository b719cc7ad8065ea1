import assert from 'node:assert/strict';
import { describe, mock, test } from 'node:test';
import type { RegisterRefusal } from '../../../src/telephony/sip/registrar/index.ts';
import { RefusalLog, type RefusalReport } from '../../../src/telephony/sip-driver/refusal-log.ts';

const refusal = (user: string, source: string, reason: RegisterRefusal['reason'] = 'wrong_password') => ({
  reason,
  user,
  source,
  offered: ['MD5'],
  status: 401,
});

describe('refused REGISTER log rate limit', () => {
  test('each phone once per window, a flood summarised in one line when the window ends', (t) => {
    mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 1_700_000_000_000 });
    t.after(() => mock.timers.reset());
    const reports: RefusalReport[] = [];
    const log = new RefusalLog({ report: (r) => reports.push(r), maxLinesPerWindow: 3 });
    for (let i = 0; i < 100; i++) log.record(refusal('alice', '192.0.2.5:5062'));
    log.record(refusal('alice', '192.0.2.5:6000', 'unsupported_algorithm'));
    for (let i = 0; i < 500; i++) log.record(refusal(`guess${i}`, '203.0.113.9:5060', 'unknown_user'));
    assert.deepEqual(
      reports.map((r) => (r.kind === 'refused' ? [r.refusal.reason, r.refusal.user] : r.kind)),
      [
        ['wrong_password', 'alice'],
        ['unsupported_algorithm', 'alice'],
        ['unknown_user', 'guess0'],
      ],
      'the same phone and reason once; the line budget caps distinct ones',
    );
    mock.timers.tick(60_000);
    const summary = reports[3];
    assert.equal(summary?.kind, 'suppressed', 'the summary comes even though the flood stopped');
    assert.equal(summary.count, 99 + 499);
    assert.deepEqual(summary.topSources, [
      ['203.0.113.9', 499],
      ['192.0.2.5', 99],
    ]);
    assert.equal(reports.length, 4);
    log.record(refusal('alice', '192.0.2.5:5062'));
    assert.equal(reports.length, 5, 'a new window reports the phone again');
    log.flush();
    assert.equal(reports.length, 5, 'nothing held back, no summary');
  });
});
