import { PconnApiError, problemFrom } from './pconn-api-error.ts';
import type { ConsoleSignedIn, ConsoleSignIn } from './types.ts';

/** Where a PconnClient gets its bearer tokens: client credentials or a console session. */
export interface AccessTokenSource {
  /** A token valid for at least a short margin (fetched or refreshed as needed). */
  get(): Promise<string>;
  /** Forgets the cached token (after a 401). */
  invalidate(): void;
}

/** How ConsoleSessionTokens reaches pconn. */
export interface ConsoleSessionTokensOptions {
  /** pconn's origin ('' in a browser page served by pconn: same-origin relative URLs). */
  baseUrl?: string;
  fetch?: typeof fetch;
  now?: () => number;
  /** Called when the session is gone (signed out elsewhere, expired, password changed). */
  onSessionEnded?: () => void;
}

/**
 * Access tokens of a console session (docs/security.md "Console users and sessions"): sign-in
 * sets an HttpOnly cookie that only `/console/session/…` reads, and every access token for `/v1`
 * comes from `POST /console/session/token` — so a request to the API never rides on a cookie.
 * Tokens are renewed at 90% of their life; concurrent callers share one renewal. Every session
 * request carries `X-Pconn-Console: 1`, which pconn requires (a cross-site page cannot send it).
 */
export class ConsoleSessionTokens implements AccessTokenSource {
  private session: ConsoleSignedIn | undefined;
  private refreshAt = 0;
  private pending: Promise<ConsoleSignedIn> | undefined;
  private readonly baseUrl: string;
  private readonly fetcher: typeof fetch;
  private readonly now: () => number;

  constructor(private readonly options: ConsoleSessionTokensOptions = {}) {
    this.baseUrl = (options.baseUrl ?? '').replace(/\/+$/, '');
    // Bound, so that a browser's window.fetch is not called with another `this`.
    this.fetcher = options.fetch ?? ((input, init) => fetch(input, init));
    this.now = options.now ?? Date.now;
  }

  /** Who is signed in (undefined before sign-in or after sign-out). */
  get current(): ConsoleSignedIn | undefined {
    return this.session;
  }

  /** Signs in; throws PconnApiError (401 invalid_credentials, 429 rate_limited …) when refused. */
  async signIn(input: ConsoleSignIn): Promise<ConsoleSignedIn> {
    return this.keep(await this.post('POST', '/console/session', input));
  }

  /** Picks up the session of the cookie (a reloaded page); undefined when there is none. */
  async resume(): Promise<ConsoleSignedIn | undefined> {
    try {
      return await this.renew();
    } catch (error) {
      if (error instanceof PconnApiError && error.status === 401) return undefined;
      throw error;
    }
  }

  /** Ends the session on the server and forgets it here. */
  async signOut(): Promise<void> {
    this.session = undefined;
    this.refreshAt = 0;
    await this.post('DELETE', '/console/session');
  }

  /** A token for `/v1`, renewed from the cookie before it lapses. */
  async get(): Promise<string> {
    if (this.session && this.now() < this.refreshAt) return this.session.accessToken;
    return (await this.renew()).accessToken;
  }

  /** Forgets the token (the next get() asks the session for a new one). */
  invalidate(): void {
    this.refreshAt = 0;
  }

  private renew(): Promise<ConsoleSignedIn> {
    this.pending ??= this.post('POST', '/console/session/token')
      .then((signedIn) => this.keep(signedIn))
      .catch((error: unknown) => {
        if (error instanceof PconnApiError && error.status === 401 && this.session) {
          this.session = undefined;
          this.options.onSessionEnded?.();
        }
        throw error;
      })
      .finally(() => {
        this.pending = undefined;
      });
    return this.pending;
  }

  private keep(signedIn: ConsoleSignedIn): ConsoleSignedIn {
    this.session = signedIn;
    this.refreshAt = this.now() + signedIn.expiresIn * 900;
    return signedIn;
  }

  private async post(method: string, path: string, body?: unknown): Promise<ConsoleSignedIn> {
    const response = await this.fetcher(`${this.baseUrl}${path}`, {
      method,
      credentials: 'same-origin',
      headers: {
        accept: 'application/json',
        'x-pconn-console': '1',
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    if (!response.ok)
      throw new PconnApiError(
        response.status,
        problemFrom(response.status, parsed, text, response.headers.get('x-request-id') ?? undefined),
      );
    return parsed as ConsoleSignedIn;
  }
}
