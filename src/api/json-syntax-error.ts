/**
 * Where a JSON text first breaks the grammar (RFC 8259), found by a small scanner of our own.
 * V8's own messages quote the text around the error (`Unexpected token 'h', ..."assword":
 * hunter2}" is not valid JSON`), and a problem that repeats them would echo the client's secrets
 * back and into logs; this answer holds positions and the grammar's expectation only.
 */
export interface JsonSyntaxError {
  /** 0-based offset in the text (UTF-16 code units, as JavaScript counts). */
  position: number;
  /** 1-based line and column of `position`. */
  line: number;
  column: number;
  /** What was wrong, in words that quote nothing of the body. */
  reason: string;
}

type Expect = 'value' | 'value_or_close' | 'key_or_close' | 'key' | 'colon' | 'comma_or_close' | 'end';

const EXPECTED: Record<Expect, string> = {
  value: 'a value',
  value_or_close: "a value or ']'",
  key_or_close: "a property name in double quotes or '}'",
  key: 'a property name in double quotes',
  colon: "':'",
  comma_or_close: "',' or the end of the object/array",
  end: 'the end of the body',
};

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

/** The first syntax error in `text`, or undefined when the text is valid JSON. */
export function findJsonSyntaxError(text: string): JsonSyntaxError | undefined {
  const stack: string[] = [];
  let expect: Expect = 'value';
  let i = 0;
  const fail = (position: number, reason: string): JsonSyntaxError => ({
    position,
    ...lineAndColumn(text, position),
    reason,
  });
  const unexpected = (position: number) =>
    position >= text.length
      ? fail(position, `the body ends where ${EXPECTED[expect]} was expected`)
      : fail(
          position,
          `found ${describeChar(text.charCodeAt(position))} where ${EXPECTED[expect]} was expected`,
        );
  const afterValue = (): Expect => (stack.length === 0 ? 'end' : 'comma_or_close');
  for (;;) {
    while (i < text.length && isWhitespace(text.charCodeAt(i))) i++;
    if (i >= text.length) return expect === 'end' ? undefined : unexpected(i);
    const c = text[i];
    switch (expect) {
      case 'end':
        return unexpected(i);
      case 'colon':
        if (c !== ':') return unexpected(i);
        i++;
        expect = 'value';
        break;
      case 'comma_or_close':
        if (c === ',') {
          i++;
          expect = stack.at(-1) === '{' ? 'key' : 'value';
        } else if ((c === '}' && stack.at(-1) === '{') || (c === ']' && stack.at(-1) === '[')) {
          i++;
          stack.pop();
          expect = afterValue();
        } else return unexpected(i);
        break;
      case 'key_or_close':
      case 'key': {
        if (c === '}' && expect === 'key_or_close') {
          i++;
          stack.pop();
          expect = afterValue();
          break;
        }
        if (c !== '"') return unexpected(i);
        const end = scanString(text, i);
        if (typeof end !== 'number') return fail(end.at, end.reason);
        i = end;
        expect = 'colon';
        break;
      }
      case 'value':
      case 'value_or_close': {
        if (c === ']' && expect === 'value_or_close') {
          i++;
          stack.pop();
          expect = afterValue();
          break;
        }
        if (c === '{' || c === '[') {
          stack.push(c);
          i++;
          expect = c === '{' ? 'key_or_close' : 'value_or_close';
          break;
        }
        if (c === '"') {
          const end = scanString(text, i);
          if (typeof end !== 'number') return fail(end.at, end.reason);
          i = end;
        } else if (text.startsWith('true', i)) i += 4;
        else if (text.startsWith('false', i)) i += 5;
        else if (text.startsWith('null', i)) i += 4;
        else {
          NUMBER.lastIndex = i;
          if (!NUMBER.test(text)) return unexpected(i);
          i = NUMBER.lastIndex;
        }
        expect = afterValue();
        break;
      }
    }
  }
}

/** Index just past the string starting at `start` (a `"`), or where and why it breaks. */
function scanString(text: string, start: number): number | { at: number; reason: string } {
  let i = start + 1;
  while (i < text.length) {
    const code = text.charCodeAt(i);
    if (code === 0x22) return i + 1;
    if (code < 0x20)
      return { at: i, reason: 'a control character (U+0000–U+001F) inside a string; escape it' };
    if (code === 0x5c) {
      const escaped = text[i + 1];
      if (escaped === 'u') {
        if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6)))
          return { at: i, reason: 'a \\u escape without four hex digits' };
        i += 6;
        continue;
      }
      if (escaped === undefined || !'"\\/bfnrt'.includes(escaped))
        return { at: i, reason: 'an invalid escape sequence inside a string' };
      i += 2;
      continue;
    }
    i++;
  }
  return { at: start, reason: 'a string that is never closed (no ending ")' };
}

function isWhitespace(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d;
}

/** Names the character without quoting body text beyond JSON's own punctuation. */
function describeChar(code: number): string {
  const c = String.fromCharCode(code);
  if ('{}[]:,"\'=;&'.includes(c)) return `'${c}'`;
  if (code < 0x20 || code === 0x7f) return 'a control character';
  if (/[0-9]/.test(c)) return 'a digit';
  if (/[A-Za-z]/.test(c)) return 'a letter (an unquoted word?)';
  return 'an unexpected character';
}

function lineAndColumn(text: string, position: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < position; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: position - lineStart + 1 };
}
