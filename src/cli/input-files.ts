import { readFileSync } from 'node:fs';
import { UsageError } from './usage-error.ts';

/** Reads a `--data` value: inline JSON, `@file.json`, or `-` for stdin. */
export function readJsonArgument(value: string): unknown {
  let text = value;
  try {
    if (value === '-') text = readFileSync(0, 'utf8');
    else if (value.startsWith('@')) text = readFileSync(value.slice(1), 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${value.slice(1) || 'stdin'}: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(`--data is not valid JSON: ${(error as Error).message}`);
  }
}
