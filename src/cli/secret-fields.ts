// Members whose values are never printed back: a password must not land in a terminal, a CI log
// or a pasted bug report. Matched on the member's name, any case.
const SECRET_NAME = /pass|pwd|secret|token|credential|api[-_]?key|private[-_]?key/i;

/** What a secret value is printed as. */
export const HIDDEN = '(hidden)';

/** True when a member of this name holds a secret (password, passwd, pwd, clientSecret, token…). */
export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name);
}

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
