/** The OAuth scopes of shared/api-contract.md, plus `system` (tenant management). */
export const SCOPES = [
  'calls:read',
  'calls:write',
  'campaigns:read',
  'campaigns:write',
  'contacts:read',
  'contacts:write',
  'users:read',
  'users:write',
  'caller-ids:read',
  'caller-ids:write',
  'webhooks:read',
  'webhooks:write',
  'audit:read',
  'admin',
  'system',
] as const;

/** One OAuth scope. */
export type Scope = (typeof SCOPES)[number];

const known = new Set<string>(SCOPES);

/** True when `value` names a scope pconn knows. */
export function isScope(value: string): value is Scope {
  return known.has(value);
}

/** Splits an RFC 6749 scope string ("a b c") into its scopes, dropping empties and repeats. */
export function parseScopeString(value: string | undefined): string[] {
  if (!value) return [];
  return [...new Set(value.split(' ').filter((s) => s.length > 0))];
}
