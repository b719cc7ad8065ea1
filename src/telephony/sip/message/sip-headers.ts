import { isToken, splitList, trimWsp } from './sip-grammar.ts';

// RFC 3261 §7.3.3 compact forms, plus those of later RFCs: o/u Event and Allow-Events
// (RFC 6665), r Refer-To (RFC 3515), b Referred-By (RFC 3892), x Session-Expires (RFC 4028),
// y Identity (RFC 8224), a/j/d Accept-Contact, Reject-Contact, Request-Disposition (RFC 3841).
const COMPACT = new Map<string, string>([
  ['i', 'call-id'],
  ['m', 'contact'],
  ['e', 'content-encoding'],
  ['l', 'content-length'],
  ['c', 'content-type'],
  ['f', 'from'],
  ['s', 'subject'],
  ['k', 'supported'],
  ['t', 'to'],
  ['v', 'via'],
  ['o', 'event'],
  ['u', 'allow-events'],
  ['r', 'refer-to'],
  ['b', 'referred-by'],
  ['x', 'session-expires'],
  ['y', 'identity'],
  ['a', 'accept-contact'],
  ['j', 'reject-contact'],
  ['d', 'request-disposition'],
]);

// RFC 3261 §7.3.1: headers whose grammar is a comma-separated list, so that several values
// may share one line. Anything else (including every unknown header, RFC 4475 §3.1.1.1) is
// one opaque value per line, and authentication headers carry commas inside one value.
const LIST_HEADERS = new Set([
  'accept',
  'accept-contact',
  'accept-encoding',
  'accept-language',
  'alert-info',
  'allow',
  'allow-events',
  'call-info',
  'contact',
  'content-encoding',
  'content-language',
  'error-info',
  'history-info',
  'in-reply-to',
  'p-asserted-identity',
  'p-preferred-identity',
  'path',
  'proxy-require',
  'reason',
  'record-route',
  'reject-contact',
  'require',
  'route',
  'security-client',
  'security-server',
  'security-verify',
  'service-route',
  'supported',
  'unsupported',
  'via',
  'warning',
]);

function computeKey(name: string): string {
  const lower = name.toLowerCase();
  return lower.length === 1 ? (COMPACT.get(lower) ?? lower) : lower;
}

// Keys of the names the stack writes and looks up itself, as written and in lower case: a
// message's fields are keyed hundreds of times per call, and toLowerCase of a mixed-case name
// allocates a new string each time. Fixed at load, so a peer's own names cannot grow it.
const KNOWN_KEYS = new Map<string, string>();
for (const name of [
  'Via',
  'Route',
  'Record-Route',
  'Max-Forwards',
  'From',
  'To',
  'Call-ID',
  'CSeq',
  'Contact',
  'Allow',
  'Supported',
  'Require',
  'User-Agent',
  'Server',
  'Content-Type',
  'Content-Length',
  'Expires',
  'Date',
  'Reason',
  'Retry-After',
  'Unsupported',
  'Authorization',
  'Proxy-Authorization',
  'WWW-Authenticate',
  'Proxy-Authenticate',
  'Authentication-Info',
  ...COMPACT.keys(),
]) {
  for (const form of [name, name.toLowerCase(), name.toUpperCase()]) KNOWN_KEYS.set(form, computeKey(form));
}
for (const key of LIST_HEADERS) KNOWN_KEYS.set(key, key);

// Cache slots of list(): one constant string per known key instead of a new one per call.
const LIST_SLOTS = new Map<string, string>([...new Set(KNOWN_KEYS.values())].map((k) => [k, `list:${k}`]));

/** The comparison key of a header name: lower case, compact form expanded. */
export function headerKey(name: string): string {
  return KNOWN_KEYS.get(name) ?? computeKey(name);
}

/** True when `name` is a comma-separated list header (RFC 3261 §7.3.1). */
export function isListHeader(name: string): boolean {
  return LIST_HEADERS.has(headerKey(name));
}

function checkField(name: string, value: string): void {
  if (!isToken(name)) throw new RangeError(`invalid SIP header name ${JSON.stringify(name)}`);
  if (value.includes('\r') || value.includes('\n')) throw new RangeError(`header ${name} holds CR or LF`);
}

/**
 * The header fields of a SIP message in wire order. Names compare case-insensitively and by
 * compact form (`v` is `Via`); each field keeps the name as written. Parsed views of values
 * are cached through {@link SipHeaders.cached} and dropped on any change.
 */
export class SipHeaders {
  #names: string[] = [];
  #keys: string[] = [];
  #values: string[] = [];
  #cache: Map<string, unknown> | undefined;

  /** Builds headers from `[name, value]` pairs; throws RangeError on a bad name or a CR/LF. */
  constructor(fields: Iterable<readonly [string, string]> = []) {
    for (const [name, value] of fields) this.append(name, value);
  }

  /**
   * Builds headers from parallel arrays without checking them: for the parser, whose names are
   * tokens and whose values hold no CR/LF by construction. Saves a pass over every byte.
   */
  static fromParsed(names: string[], values: string[]): SipHeaders {
    const headers = new SipHeaders();
    headers.#names = names;
    headers.#values = values;
    headers.#keys = names.map(headerKey);
    return headers;
  }

  /** Number of header fields (lines). */
  get size(): number {
    return this.#names.length;
  }

  /** Value of the first field named `name`. */
  get(name: string): string | undefined {
    const i = this.#keys.indexOf(headerKey(name));
    return i === -1 ? undefined : this.#values[i];
  }

  /** Values of every field named `name`, one per line, in order. */
  getAll(name: string): string[] {
    const key = headerKey(name);
    const out: string[] = [];
    for (let i = 0; i < this.#keys.length; i++) if (this.#keys[i] === key) out.push(this.#values[i]!);
    return out;
  }

  /**
   * Every value of `name` across lines, split at top-level commas for list headers
   * (`Via: a, b` and two `Via` lines give the same list). Cached.
   */
  list(name: string): string[] {
    const key = headerKey(name);
    const slot = LIST_SLOTS.get(key) ?? `list:${key}`;
    this.#cache ??= new Map();
    const known = this.#cache.get(slot) as string[] | undefined;
    if (known) return known;
    let values = this.getAll(key);
    // One trimmed value per line without a comma is the common case: no copies then.
    if (LIST_HEADERS.has(key) && values.some((value) => value.includes(',') || value !== trimWsp(value)))
      values = values.flatMap(splitList);
    this.#cache.set(slot, values);
    return values;
  }

  /** Number of fields named `name`. */
  count(name: string): number {
    const key = headerKey(name);
    let n = 0;
    for (const k of this.#keys) if (k === key) n++;
    return n;
  }

  /** True when a field named `name` exists. */
  has(name: string): boolean {
    return this.#keys.includes(headerKey(name));
  }

  /** Adds a field after all others. */
  append(name: string, value: string): this {
    checkField(name, value);
    this.#names.push(name);
    this.#keys.push(headerKey(name));
    this.#values.push(value);
    this.#cache = undefined;
    return this;
  }

  /** Adds a field before all others (a new top Via, RFC 3261 §8.1.1.7). */
  prepend(name: string, value: string): this {
    checkField(name, value);
    this.#names.unshift(name);
    this.#keys.unshift(headerKey(name));
    this.#values.unshift(value);
    this.#cache = undefined;
    return this;
  }

  /** Replaces every field named `name` by one, at the place of the first (or at the end). */
  set(name: string, value: string): this {
    checkField(name, value);
    const key = headerKey(name);
    const first = this.#keys.indexOf(key);
    if (first === -1) return this.append(name, value);
    this.delete(name);
    this.#names.splice(first, 0, name);
    this.#keys.splice(first, 0, key);
    this.#values.splice(first, 0, value);
    return this;
  }

  /** Removes every field named `name`; returns how many were removed. */
  delete(name: string): number {
    const key = headerKey(name);
    let removed = 0;
    for (let i = this.#keys.length - 1; i >= 0; i--) {
      if (this.#keys[i] !== key) continue;
      this.#names.splice(i, 1);
      this.#keys.splice(i, 1);
      this.#values.splice(i, 1);
      removed++;
    }
    if (removed > 0) this.#cache = undefined;
    return removed;
  }

  /** The name (as written) of the field at `index` (0 ≤ index < size), for loops without copies. */
  nameAt(index: number): string {
    return this.#names[index]!;
  }

  /** The comparison key of the field at `index`. */
  keyAt(index: number): string {
    return this.#keys[index]!;
  }

  /** The value of the field at `index`. */
  valueAt(index: number): string {
    return this.#values[index]!;
  }

  /** Fields as `[name as written, value]`, in order. */
  entries(): Array<[string, string]> {
    return this.#names.map((name, i) => [name, this.#values[i]!]);
  }

  /** Iterates `[name, value]` in order. */
  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.entries()[Symbol.iterator]();
  }

  /** An independent copy (without the parse cache). */
  clone(): SipHeaders {
    const copy = new SipHeaders();
    copy.#names = [...this.#names];
    copy.#keys = [...this.#keys];
    copy.#values = [...this.#values];
    return copy;
  }

  /**
   * Memoizes `compute(this)` under `slot` until the headers change. Hot callers pass a
   * module-level function and a literal slot, so that a lookup allocates nothing.
   */
  cached<T>(slot: string, compute: (headers: SipHeaders) => T): T {
    this.#cache ??= new Map();
    const known = this.#cache.get(slot);
    if (known !== undefined || this.#cache.has(slot)) return known as T;
    const value = compute(this);
    this.#cache.set(slot, value);
    return value;
  }
}
