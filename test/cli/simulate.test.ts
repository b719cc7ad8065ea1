import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { runCli, tempConfigDir } from './run-cli.ts';

// `pconn simulate` is offline: no server, no profile.
const cli = (args: string[]) => runCli(args, { env: { PCONN_CONFIG_DIR: tempConfigDir() } });
const SMALL = ['--agents', '3', '--hours', '0.5', '--seed', '7'];

describe('pconn simulate', () => {
  test('--json prints exactly one JSON object with the documented keys, the same for the same seed', async () => {
    const first = await cli(['simulate', '--mode', 'predictive', ...SMALL, '--json']);
    assert.equal(first.code, 0, first.stderr);
    assert.equal(first.stdout.trim().split('\n').length, 1, 'one line');
    const summary = JSON.parse(first.stdout) as Record<string, unknown>;
    assert.deepEqual(Object.keys(summary), [
      'mode',
      'agents',
      'hours',
      'occupancy',
      'abandonRate',
      'maxHourlyAbandonRate',
      'liveAnswers',
      'abandoned',
      'dials',
    ]);
    assert.deepEqual([summary.mode, summary.agents, summary.hours], ['predictive', 3, 0.5]);
    const again = await cli(['simulate', '--mode', 'predictive', ...SMALL, '--json']);
    assert.equal(again.stdout, first.stdout, 'deterministic for a seed');
  });

  test('without --json: a readable summary', async () => {
    const result = await cli(['simulate', '--mode', 'progressive', ...SMALL]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^progressive: 3 agents, 0\.5 h\n {2}occupancy +0\.\d+/);
    assert.match(result.stdout, /abandoned +0\n/);
  });

  test('bad flags exit 2 naming the flag', async () => {
    for (const [args, message] of [
      [['--mode', 'turbo'], /--mode must be one of preview, progressive, predictive/],
      [['--ring-seconds', '30-5'], /--ring-seconds must be MIN-MAX/],
      [['--answer-rate', '0.9', '--machine-rate', '0.2'], /add up to more than 1/],
      [['--agents', '0'], /--agents must be an integer from 1/],
      [['--seed', '1.5'], /--seed must be an integer/],
    ] as Array<[string[], RegExp]>) {
      const result = await cli(['simulate', ...args]);
      assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, message);
    }
  });
});
