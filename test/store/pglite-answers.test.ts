import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { messages as messages_, PGlite, parse, protocol } from '@electric-sql/pglite';

type BackendMessage = Parameters<Parameters<protocol.Parser['parse']>[1]>[0];

import { AnswerBytes, readAnswer } from '../../src/store/pglite-answers.ts';

const { serialize } = protocol;

/** An unnamed statement run once, as the store's driver runs a prepared one (Bind … Sync). */
function exchange(text: string, values: (string | null)[] = []): Uint8Array {
  return Buffer.concat([
    serialize.parse({ text, types: [] }),
    serialize.bind({ values }),
    serialize.describe({ type: 'P' }),
    serialize.execute({}),
    serialize.sync(),
  ]);
}

/**
 * One run's raw answer read twice: by PGlite's reader (its protocol Parser, then parseResults;
 * execProtocol throws the first error message, as this does) and by readAnswer.
 */
async function bothReaders(pglite: PGlite, message: Uint8Array): Promise<{ theirs: unknown; ours: unknown }> {
  const answer = new AnswerBytes();
  await pglite.execProtocolRawStream(message, { onRawData: answer.append });
  const bytes = new Uint8Array(answer.bytes);
  const read = (run: () => unknown): unknown => {
    try {
      return run();
    } catch (error) {
      return {
        threw: { ...(error as object), message: (error as Error).message, class: error?.constructor },
      };
    }
  };
  const theirs = read(() => {
    const messages: BackendMessage[] = [];
    new protocol.Parser().parse(bytes, (m) => messages.push(m));
    const error = messages.find((m) => m instanceof messages_.DatabaseError);
    if (error) throw error;
    return parse.parseResults(messages, pglite.parsers);
  });
  const ours = read(() => readAnswer(Buffer.from(bytes), pglite.parsers));
  return { theirs, ours };
}

describe("readAnswer reads PGlite's raw answers as PGlite's own reader does", () => {
  let pglite: PGlite;
  before(async () => {
    pglite = await PGlite.create();
    await pglite.exec(`create table things (id int primary key, name text unique, doc jsonb)`);
  });
  after(() => pglite.close());

  const cases: [string, string, (string | null)[]][] = [
    [
      'every common type, nulls and multi-byte text',
      `select 1::int as i, 9007199254740993::bigint as big, 2::bigint as small, true as yes, false as no,
        'héllo ✓ 𝄞'::text as t, null::text as nothing, now() as at, '2026-12-06'::date as day,
        '{"a":[1,2,{"b":null}]}'::jsonb as doc, '{"x":1}'::json as j, array[1,2,3] as ints,
        array['a','b c','d"e'] as texts, 1.5::numeric as num, 2.25::float8 as f, '\\x0102ff'::bytea as raw,
        '1 day'::interval as gap, gen_random_uuid() is not null as has_uuid`,
      [],
    ],
    ['a parameter', `select $1::text as echoed, length($1) as n`, ['ünï']],
    [
      'many rows, wider than one output chunk',
      `select g as n, repeat('x', 900) as pad from generate_series(1, 400) g`,
      [],
    ],
    ['no rows', `select 1 as n where false`, []],
    ['an insert counting its rows', `insert into things (id, name) values (1, 'one'), (2, 'two')`, []],
    ['an update returning rows', `update things set doc = '{"k":1}' where id <= 2 returning id, doc`, []],
    ['a delete of nothing', `delete from things where id < 0`, []],
    ['duplicate column names (the last value wins, in the first place)', `select 1 as a, 2 as b, 3 as a`, []],
    ['a column named __proto__', `select 1 as "__proto__", 2 as other`, []],
    [
      'a unique violation, with its constraint and detail',
      `insert into things (id, name) values (3, 'one')`,
      [],
    ],
    ['a syntax error, with its position', `select from where`, []],
    ['a division by zero after rows were sent', `select 1 / (g - 3) as q from generate_series(1, 5) g`, []],
  ];
  for (const [name, text, values] of cases)
    test(name, async () => {
      const { theirs, ours } = await bothReaders(pglite, exchange(text, values));
      assert.deepStrictEqual(ours, theirs);
    });

  test('a column named __proto__ is a value of the row, not its prototype', async () => {
    const answer = new AnswerBytes();
    await pglite.execProtocolRawStream(exchange(`select 1 as "__proto__"`), { onRawData: answer.append });
    const [result] = readAnswer(answer.bytes, pglite.parsers);
    const row = result?.rows[0] as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(row), Object.prototype);
    assert.deepEqual(Object.getOwnPropertyDescriptor(row, '__proto__')?.value, 1);
  });

  test('the bytes gathered are copied: an output buffer PGlite reuses does not change them', () => {
    const answer = new AnswerBytes();
    const chunk = new Uint8Array([1, 2, 3]);
    answer.append(chunk);
    chunk.fill(9);
    answer.append(new Uint8Array(100_000).fill(7));
    assert.deepEqual([...answer.bytes.subarray(0, 4)], [1, 2, 3, 7]);
    assert.equal(answer.bytes.length, 100_003);
    answer.reset();
    assert.equal(answer.bytes.length, 0);
    answer.append(new Uint8Array(2_000_000));
    answer.reset();
    answer.append(new Uint8Array([5]));
    assert.ok(answer.bytes.buffer.byteLength < 2_000_000, 'the buffer a large answer grew is not kept');
  });
});
