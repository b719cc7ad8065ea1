import { ACTION_FIELDS, WRITE_ONLY_FIELDS } from './resource-kinds.ts';

/** How a write-only member that is set shows in a diff (its value is never read back). */
export const WRITE_ONLY_SET = '(write-only, set)';

/** One field-level difference: `+` added, `-` removed, `~` changed. */
export interface FieldChange {
  op: '+' | '-' | '~';
  path: string;
  from?: unknown;
  to?: unknown;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Differences between a declared document and the server's: only declared members are compared
 * (the file owns what it states; server defaults and server-managed fields such as status or
 * timestamps are left alone), nested objects member by member, arrays as a whole. Write-only
 * members (`password`) are compared by presence against the answered `hasPassword`.
 */
export function diffDocument(
  desired: Record<string, unknown>,
  actual: Record<string, unknown> | undefined,
  base = '',
): FieldChange[] {
  const changes: FieldChange[] = [];
  for (const [key, want] of Object.entries(desired)) {
    if (ACTION_FIELDS.has(key)) continue;
    const path = base ? `${base}.${key}` : key;
    if (WRITE_ONLY_FIELDS.has(key)) {
      const hasKey = `has${key[0]?.toUpperCase()}${key.slice(1)}`;
      const present = actual?.[hasKey] === true;
      if (want !== undefined && want !== null && !present)
        changes.push({ op: '+', path, to: WRITE_ONLY_SET });
      if ((want === undefined || want === null) && present)
        changes.push({ op: '-', path, from: WRITE_ONLY_SET });
      continue;
    }
    const have = actual?.[key];
    if (isObject(want) && isObject(have)) {
      changes.push(...diffDocument(want, have, path));
    } else if (have === undefined || (have === null && want !== null)) {
      if (want !== null) changes.push({ op: '+', path, to: want });
    } else if (want === null) {
      changes.push({ op: '-', path, from: have });
    } else if (JSON.stringify(want) !== JSON.stringify(have)) {
      changes.push({ op: '~', path, from: have, to: want });
    }
  }
  return changes;
}

/** The fields of a new document, all as additions (`password` masked). */
export function additions(desired: Record<string, unknown>, base = ''): FieldChange[] {
  return Object.entries(desired).flatMap(([key, value]) => {
    const path = base ? `${base}.${key}` : key;
    if (WRITE_ONLY_FIELDS.has(key)) return [{ op: '+' as const, path, to: WRITE_ONLY_SET }];
    return isObject(value) ? additions(value, path) : [{ op: '+' as const, path, to: value }];
  });
}
