import { FOREIGN_FIELD_HINTS, type ForeignFieldHint, type RouteKind } from './field-hint-table.ts';

/**
 * "Did you mean" hints for the payload shapes users bring from other contact-center
 * platforms (shared/api-contract.md, "Hints"). Matched on the unknown field's name, where it
 * sits (parent pointer), which kind of route received it and which fields that object accepts.
 */
export type { ForeignFieldHint, RouteKind };
export { FOREIGN_FIELD_HINTS };

// Nothing longer is a field name anyone meant; longer names get no hint (and no O(n) work).
const MAX_FIELD_LENGTH = 64;
// A truncated name ("pho") is matched by prefix from this length on; shorter ones are too vague.
const MIN_PREFIX_LENGTH = 3;

/**
 * The hint for an unknown `field` under `parent` on a `route` kind, if one is known: a foreign
 * platform's field (exact, then by prefix when truncated), else the one accepted field the name
 * is a prefix of. `allowed` lists the fields the holding object accepts; entries that point at
 * a field it rejects are skipped.
 */
export function foreignFieldHint(
  field: string,
  parent: string,
  route: RouteKind,
  allowed?: readonly string[],
): string | undefined {
  if (field.length > MAX_FIELD_LENGTH) return undefined;
  const name = field.toLowerCase();
  const applicable = FOREIGN_FIELD_HINTS.filter((entry) => applies(entry, parent, route, allowed));
  const exact = applicable.find((entry) => entry.fields.some((f) => f.toLowerCase() === name));
  if (exact) return exact.hint;
  if (name.length < MIN_PREFIX_LENGTH) return undefined;
  // A truncated name counts only when every entry it could be agrees; "call" could be callType
  // or callee, so it gets none.
  const byPrefix = new Set(
    applicable
      .filter((entry) => entry.fields.some((f) => f.toLowerCase().startsWith(name)))
      .map((entry) => entry.hint),
  );
  if (byPrefix.size === 1) return [...byPrefix][0];
  if (byPrefix.size > 1) return undefined;
  const completions = (allowed ?? []).filter((f) => f.toLowerCase().startsWith(name));
  return completions.length === 1 ? `Did you mean '${completions[0]}'?` : undefined;
}

function applies(
  entry: ForeignFieldHint,
  parent: string,
  route: RouteKind,
  allowed: readonly string[] | undefined,
): boolean {
  if (entry.routes !== undefined && !entry.routes.includes(route)) return false;
  if (entry.needs !== undefined && !(allowed ?? []).includes(entry.needs)) return false;
  if (entry.parent === undefined) return true;
  const genericParent = parent.replace(/\/\d+(?=\/|$)/g, '/*');
  return (
    entry.parent === parent ||
    entry.parent === genericParent ||
    (entry.parent !== '' && genericParent.endsWith(entry.parent))
  );
}
