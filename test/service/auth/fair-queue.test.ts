import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FairQueue } from '../../../src/service/auth/fair-queue.ts';

/** A job that finishes when the test says so, recording when it started. */
function gate(started: string[], name: string) {
  let open = (): void => {};
  const done = new Promise<void>((resolve) => {
    open = resolve;
  });
  return {
    job: async () => {
      started.push(name);
      await done;
      return name;
    },
    open: () => open(),
  };
}

test('runs at most `concurrency` jobs and lets a second source in ahead of the first one’s backlog', async () => {
  const queue = new FairQueue(2);
  const started: string[] = [];
  const flood = Array.from({ length: 6 }, (_, i) => gate(started, `a${i}`));
  const other = gate(started, 'b0');
  const results = flood.map((g) => queue.run('attacker', g.job));
  const otherResult = queue.run('other', other.job);
  await Promise.resolve();
  assert.deepEqual(started, ['a0', 'a1'], 'two at once');
  flood[0]?.open();
  await results[0];
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(started, ['a0', 'a1', 'b0'], 'the other source goes before a2..a5');
  other.open();
  for (const g of flood) g.open();
  assert.deepEqual(await Promise.all(results), ['a0', 'a1', 'a2', 'a3', 'a4', 'a5']);
  assert.equal(await otherResult, 'b0');
});

test('a failing job frees its slot', async () => {
  const queue = new FairQueue(1);
  await assert.rejects(
    queue.run('x', async () => {
      throw new Error('boom');
    }),
  );
  assert.equal(await queue.run('x', async () => 'next'), 'next');
});
