import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { protocol } from '@electric-sql/pglite';
import { type BoundValue, RunMessages } from '../../src/store/pglite-run-message.ts';

const { serialize } = protocol;

/** The same run as PGlite's serializer writes it (binary values as the bytes it would be given). */
function theirs(closes: string[], statement: string, values: BoundValue[]): Buffer {
  const asPglite = values.map((value) =>
    value === null || typeof value === 'string' || value instanceof Uint8Array
      ? value
      : Buffer.concat([value.jsonb ? Buffer.from([1]) : Buffer.alloc(0), Buffer.from(value.text, 'utf8')]),
  );
  return Buffer.concat([
    ...closes.map((name) => serialize.close({ type: 'S', name })),
    serialize.bind({ statement, values: asPglite }),
    serialize.describe({ type: 'P' }),
    serialize.execute({}),
    serialize.sync(),
  ]);
}

describe('RunMessages writes the bytes PGlite serializes for a run', () => {
  const cases: [string, string[], string, BoundValue[]][] = [
    ['no parameters', [], 'pconn_0', []],
    ['text, null and multi-byte text', [], 'pconn_12', ['a', null, 'héllo ✓ 𝄞', '']],
    [
      'binary text and jsonb (a batch parameter), after evicted statements',
      ['pconn_1', 'pconn_22'],
      'pconn_300',
      [
        { text: 'x'.repeat(200_000), jsonb: false },
        { text: JSON.stringify({ é: ['ü', 1] }), jsonb: true },
        '7',
      ],
    ],
    [
      'bytes already in their binary format (a bytea, a text[])',
      [],
      'pconn_4',
      [new Uint8Array([0, 1, 255]), 'x'],
    ],
  ];
  for (const [name, closes, statement, values] of cases)
    test(name, () => {
      const messages = new RunMessages();
      assert.deepEqual(
        Buffer.from(messages.build(closes, statement, values)),
        theirs(closes, statement, values),
      );
    });

  test('one buffer serves every run, and a large run does not keep its size', () => {
    const messages = new RunMessages();
    const large = messages.build([], 'pconn_1', [{ text: 'x'.repeat(2_000_000), jsonb: true }]);
    assert.ok(large.length > 2_000_000);
    const small = messages.build([], 'pconn_1', ['1']);
    assert.deepEqual(Buffer.from(small), theirs([], 'pconn_1', ['1']));
    assert.ok(small.buffer.byteLength < 2_000_000, 'the buffer a large run grew is not kept');
    const again = messages.build([], 'pconn_2', ['2']);
    assert.equal(again.buffer, small.buffer, 'the next run reuses it');
  });
});
