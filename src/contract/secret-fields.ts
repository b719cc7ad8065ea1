/**
 * The one list of member names whose values are secrets: the audit trail masks them (parsed
 * bodies, malformed ones and problems), and the CLI never prints them. One list, because two
 * drifted apart: the audit's missed `passwd`, `pwd` and `pass`, which the CLI hid.
 *
 * A name is split into words (camelCase, snake_case, kebab-case, dots): a whole word from
 * SECRET_WORDS marks it (`userPass`, `sip_pwd`, `x-api-key`), and so does one of SECRET_PARTS
 * anywhere in it (`sippassword`, `accesstoken`), since names are not always split. Short words
 * (`pass`, `pwd`) count only whole, so `passenger` or `compass` stay visible.
 */
const SECRET_WORDS = new Set([
  'pass',
  'passwd',
  'pwd',
  'pw',
  'passphrase',
  'pin',
  'secret',
  'token',
  'apikey',
  'authorization',
  'credential',
  'credentials',
  'privatekey',
  'cookie',
]);

/** Substrings that mark a secret wherever they appear in a name (compounds without separators). */
const SECRET_PARTS = [
  'password',
  'passwd',
  'secret',
  'token',
  'apikey',
  'api_key',
  'api-key',
  'authorization',
  'credential',
  'privatekey',
  'private_key',
  'private-key',
];

/** Word pairs that together name a secret (`api key`, `private key`, `client secret`). */
const SECRET_PAIRS = [
  ['api', 'key'],
  ['private', 'key'],
  ['access', 'key'],
];

/** True when a member of this name holds a secret (password, passwd, pwd, clientSecret, token, apiKey…). */
export function isSecretName(name: string): boolean {
  const lower = name.toLowerCase();
  if (SECRET_PARTS.some((part) => lower.includes(part))) return true;
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
  if (words.some((word) => SECRET_WORDS.has(word))) return true;
  return SECRET_PAIRS.some(([a, b]) => words.some((word, i) => word === a && words[i + 1] === b));
}
