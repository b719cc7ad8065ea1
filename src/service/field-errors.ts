import type { FieldErrorCode } from '../domain/error-codes.ts';
import { type FieldError, InvalidInputError } from '../domain/pconn-error.ts';

/** Collects every field problem of a request, so the client learns them all at once. */
export class FieldErrors {
  readonly list: FieldError[] = [];

  /** Records one problem at `pointer`. */
  add(pointer: string, code: FieldErrorCode, detail: string, hint?: string): void {
    this.list.push({ pointer, code, detail, ...(hint ? { hint } : {}) });
  }

  /** Throws 400 `invalid_request` carrying every recorded problem, if there is any. */
  throwIfAny(detail = 'The request body has invalid fields.'): void {
    if (this.list.length > 0) throw new InvalidInputError('invalid_request', detail, { errors: this.list });
  }
}

/** The candidate closest to `word` by edit distance, when it is close enough to be a likely typo. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  const lower = word.toLowerCase();
  for (const candidate of candidates) {
    const distance = editDistance(lower, candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  // A third of the word's length, at least 1 and at most 3 edits: "phonetype" → "phoneType",
  // "nmae" → "name", but "foo" never matches "bar".
  const limit = Math.min(3, Math.max(1, Math.floor(word.length / 3)));
  return bestDistance <= limit ? best : undefined;
}

/** Damerau–Levenshtein distance (optimal string alignment), so swapped letters count once. */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) =>
    Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const row = d[i]!;
      const prev = d[i - 1]!;
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        row[j] = Math.min(row[j]!, d[i - 2]![j - 2]! + 1);
      }
    }
  }
  return d[a.length]![b.length]!;
}
