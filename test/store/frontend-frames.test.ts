import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FrontendFrames } from '../../src/store/pglite-host/frontend-frames.ts';

/** A typed frontend message: its type byte, then an Int32 length counting itself and the body. */
function typed(type: string, body: string): Buffer {
  const message = Buffer.alloc(5 + body.length);
  message.write(type, 0);
  message.writeInt32BE(4 + body.length, 1);
  message.write(body, 5);
  return message;
}

/** A startup-phase message: an Int32 length, then an Int32 code (protocol version or request code). */
function untyped(code: number, body = ''): Buffer {
  const message = Buffer.alloc(8 + body.length);
  message.writeInt32BE(8 + body.length, 0);
  message.writeInt32BE(code, 4);
  message.write(body, 8);
  return message;
}

const SSL_REQUEST = untyped(80877103);
const STARTUP = untyped(196608, 'user\0postgres\0\0');
const EXTENDED = [
  typed('P', '\0select 1\0\0\0'),
  typed('B', '\0\0\0\0\0\0\0\0'),
  typed('E', '\0\0\0\0\0'),
  typed('S', ''),
];

test('whole messages come out however the bytes were cut, and only whole ones', () => {
  const stream = Buffer.concat([SSL_REQUEST, STARTUP, ...EXTENDED, typed('X', '')]);
  const expected = ['ssl-request', 'startup', 'P', 'B', 'E', 'S', 'X'];
  // All at once, one byte at a time, and in uneven cuts.
  for (const cut of [stream.length, 1, 3, 7]) {
    const frames = new FrontendFrames();
    const out: Array<{ type: string; bytes: Buffer }> = [];
    for (let at = 0; at < stream.length; at += cut) out.push(...frames.push(stream.subarray(at, at + cut)));
    assert.deepEqual(
      out.map((message) => message.type),
      expected,
      `cut every ${cut} bytes`,
    );
    assert.deepEqual(
      Buffer.concat(out.map((message) => message.bytes)),
      stream,
      `cut every ${cut}: bytes kept`,
    );
  }
});

test('a message cut in two is held back until its tail arrives', () => {
  const frames = new FrontendFrames();
  assert.deepEqual(frames.push(STARTUP), [{ type: 'startup', bytes: STARTUP }]);
  const query = typed('Q', 'select 1\0');
  assert.deepEqual(frames.push(query.subarray(0, 6)), [], 'the head alone is not a message');
  assert.deepEqual(
    frames.push(query.subarray(6)).map((message) => message.type),
    ['Q'],
  );
});
