/** Thresholds of {@link RegisterLockout}. */
export interface RegisterLockoutOptions {
  /** Failed answers (wrong password, unknown user) per user, and per source host, in a window. */
  maxFailures: number;
  /** Length of the counting window, ms. */
  windowMs: number;
  /** First lockout, ms; each further lockout of the same key doubles it, up to 16×. */
  lockoutMs: number;
  /** Clock in ms. */
  now: () => number;
  /**
   * How long a (user, `host:port`) that authenticated stays exempt from the user's and the
   * host's lockout, ms (default 1 h): the registered phone keeps working while someone guesses
   * that user's password, or from behind the same NAT. A spoofed source cannot use it: nonces
   * are bound to the address they were sent to, so the answer needs the 401 that went there.
   */
  trustMs?: number;
}

/** Which key a lockout is on: the username, or the source host. */
export type LockoutScope = 'user' | 'source';

/** A refused key: its scope and the seconds left. */
export interface Lockout {
  scope: LockoutScope;
  retryAfterSeconds: number;
}

interface Counter {
  failures: number;
  windowStart: number;
  lockedUntil: number;
  /** Lockouts in a row (doubles the next one); forgotten after a quiet spell. */
  strikes: number;
}

const MAX_TRACKED = 10_000;
const MAX_DOUBLINGS = 4;

/**
 * Password-guessing brake for the registrar (RFC 3261 §22.1 lets a registrar answer 403):
 * after `maxFailures` wrong answers in a window, the user, and separately the source host, are
 * refused outright for the lockout time, without the digest being checked, so even the right
 * password waits it out. In-memory per node; bounded (the oldest keys are forgotten first).
 */
export class RegisterLockout {
  readonly #users = new Map<string, Counter>();
  readonly #hosts = new Map<string, Counter>();
  readonly #trusted = new Map<string, number>();
  readonly #trustMs: number;

  constructor(private readonly options: RegisterLockoutOptions) {
    this.#trustMs = options.trustMs ?? 3600_000;
  }

  /** The lockout refusing `user` from `source` (`host:port`) now, if any. */
  locked(user: string, source: string | undefined): Lockout | undefined {
    const now = this.options.now();
    const trustedUntil = this.#trusted.get(pairKey(user, source));
    if (trustedUntil !== undefined && trustedUntil > now) return undefined;
    for (const [scope, map, key] of this.#keys(user, source)) {
      const counter = map.get(key);
      if (counter && counter.lockedUntil > now)
        return { scope, retryAfterSeconds: Math.ceil((counter.lockedUntil - now) / 1000) };
    }
    return undefined;
  }

  /** Counts a wrong answer; returns the scopes this failure locked (empty: none). */
  failed(user: string, source: string | undefined): LockoutScope[] {
    const now = this.options.now();
    this.#trusted.delete(pairKey(user, source));
    const started: LockoutScope[] = [];
    for (const [scope, map, key] of this.#keys(user, source)) {
      const counter = touch(map, key, now);
      if (now - counter.windowStart >= this.options.windowMs) {
        counter.failures = 0;
        counter.windowStart = now;
      }
      // A long quiet spell since the last lockout ended forgives the earlier ones.
      if (counter.lockedUntil + this.options.lockoutMs * 2 ** MAX_DOUBLINGS < now) counter.strikes = 0;
      counter.failures += 1;
      if (counter.failures >= this.options.maxFailures) {
        counter.lockedUntil = now + this.options.lockoutMs * 2 ** Math.min(counter.strikes, MAX_DOUBLINGS);
        counter.strikes += 1;
        counter.failures = 0;
        counter.windowStart = now;
        started.push(scope);
      }
    }
    return started;
  }

  /** `user` authenticated from `source`: that pair is exempt from lockouts for a while. */
  succeeded(user: string, source: string | undefined): void {
    const key = pairKey(user, source);
    this.#trusted.delete(key);
    this.#trusted.set(key, this.options.now() + this.#trustMs);
    if (this.#trusted.size > MAX_TRACKED) this.#trusted.delete(this.#trusted.keys().next().value ?? '');
  }

  #keys(user: string, source: string | undefined): Array<[LockoutScope, Map<string, Counter>, string]> {
    return [
      ['user', this.#users, user],
      ['source', this.#hosts, sourceHost(source)],
    ];
  }
}

/** The counter of `key`, created when new, moved to the newest end (the oldest are evicted). */
function touch(map: Map<string, Counter>, key: string, now: number): Counter {
  const counter = map.get(key) ?? { failures: 0, windowStart: now, lockedUntil: 0, strikes: 0 };
  map.delete(key);
  map.set(key, counter);
  if (map.size > MAX_TRACKED) map.delete(map.keys().next().value ?? '');
  return counter;
}

function pairKey(user: string, source: string | undefined): string {
  return `${user}\u0000${source ?? ''}`;
}

/** The host of `host:port` (`[v6]:port` too); '' when unknown. */
function sourceHost(source: string | undefined): string {
  if (!source) return '';
  const v6 = /^\[([^\]]+)\]/.exec(source);
  return v6?.[1] ?? source.replace(/:\d+$/, '');
}
