import { isSecretName } from '../contract/secret-fields.ts';

// Members whose values are never printed back: a password must not land in a terminal, a CI log
// or a pasted bug report. The names are the one shared list (contract/secret-fields.ts), the
// same the audit trail masks.
export { isSecretName };

/** What a secret value is printed as. */
export const HIDDEN = '(hidden)';

/** True when any member on the path to `pointer` (`/a/b` or `a.b`) is secret-like. */
export function isSecretPath(path: string): boolean {
  return path.split(/[/.]/).some((part) => part !== '' && isSecretName(part));
}

/** A copy of `value` with the value of every secret-like member replaced by `(hidden)`. */
export function redactSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactSecrets);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, isSecretName(key) ? HIDDEN : redactSecrets(item)]),
    );
  }
  return value;
}
