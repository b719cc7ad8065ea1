/**
 * Most object members and array items, all levels together, one JSON body may hold. No pconn
 * request comes near it (the longest lists, `agentIds` and `contactIds`, stop at 1,000; bulk data
 * goes through the streamed import routes), while validating and explaining a body of 75,000
 * members held the event loop for seconds: past it the body is refused before any schema runs.
 */
export const MAX_JSON_MEMBERS = 10_000;

/**
 * Members and items in a parsed JSON value, counted up to just past `limit` (then it stops: the
 * answer is "too many", and walking the rest would be the work being avoided). Iterative, so
 * the nesting depth costs no stack.
 */
export function countJsonMembers(value: unknown, limit: number = MAX_JSON_MEMBERS): number {
  let count = 0;
  const pending: unknown[] = [value];
  while (pending.length > 0 && count <= limit) {
    const next = pending.pop();
    if (next === null || typeof next !== 'object') continue;
    if (Array.isArray(next)) {
      count += next.length;
      for (const item of next) if (item !== null && typeof item === 'object') pending.push(item);
      continue;
    }
    for (const key in next) {
      if (++count > limit) return count;
      const item = (next as Record<string, unknown>)[key];
      if (item !== null && typeof item === 'object') pending.push(item);
    }
  }
  return count;
}
