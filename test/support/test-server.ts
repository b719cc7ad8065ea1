import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import pino, { type Logger } from 'pino';
import { loadConfig } from '../../src/config.ts';
import type { Clock } from '../../src/domain/clock.ts';
import type { TelephonyDriver } from '../../src/domain/telephony.ts';
import { createPconn, type Pconn } from '../../src/main.ts';
import { openStore, type Store } from '../../src/store/open-store.ts';
import { migratedPgliteImage } from './pglite-image.ts';

/** A response as tests look at it. */
export interface ApiResponse<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

/** A pconn node listening on 127.0.0.1 with a known admin client, for one test file. */
export interface TestServer {
  url: string;
  pconn: Pconn;
  store: Store;
  adminId: string;
  adminSecret: string;
  /** A token for the bootstrap admin (every scope), cached. */
  adminToken(): Promise<string>;
  /** A token for a new client in `tenantId` holding exactly `scopes`. */
  tokenWithScopes(scopes: string[], tenantId?: string): Promise<string>;
  /** Sends a request; `body` objects are sent as JSON. */
  request<T = Record<string, unknown>>(
    method: string,
    path: string,
    options?: RequestOptions,
  ): Promise<ApiResponse<T>>;
  close(): Promise<void>;
}

/** Options of TestServer.request. */
export interface RequestOptions {
  token?: string | null;
  body?: unknown;
  rawBody?: string | Buffer;
  headers?: Record<string, string>;
}

/** Starts a server on an embedded store (default) or a fresh PostgreSQL database. */
export async function startTestServer(
  options: {
    storeKind?: 'pglite' | 'postgres';
    env?: Record<string, string>;
    driver?: TelephonyDriver;
    /** The node's logger (default: silent, or PCONN_TEST_LOG_LEVEL); tests that read the log pass theirs. */
    logger?: Logger;
    /** The server's Clock (e.g. a SteppedClock a test advances instead of sleeping). */
    clock?: Clock;
  } = {},
): Promise<TestServer> {
  const adminId = 'test-admin';
  const adminSecret = randomBytes(24).toString('base64url');
  let dropDatabase: (() => Promise<void>) | undefined;
  let store: Store;
  if (options.storeKind === 'postgres') {
    const { createTestDatabase } = await import('./postgres-server.ts');
    const database = await createTestDatabase();
    dropDatabase = database.drop;
    store = await openStore({ kind: 'postgres', url: database.url });
  } else {
    store = await openStore({ kind: 'pglite', image: await migratedPgliteImage() });
  }
  const config = loadConfig({
    PORT: '0',
    PCONN_BOOTSTRAP_CLIENT_ID: adminId,
    PCONN_BOOTSTRAP_CLIENT_SECRET: adminSecret,
    PCONN_PUBLIC_URL: 'http://pconn.test',
    PCONN_WEBHOOK_ALLOW_PRIVATE: '1',
    // SIP peers in tests (sipp, baresip, sandbox agents) live on this machine.
    PCONN_SIP_ALLOW_DESTINATIONS: '127.0.0.0/8,::1/128,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16',
    // With scaled sandbox time a 30 s ring timeout is a fraction of a second; keep it clear of
    // the answer delays when PGlite keeps the event loop busy.
    PCONN_AGENT_RING_SECONDS: '600',
    PCONN_CONTACT_RING_SECONDS: '600',
    // Suites send many token-less requests from 127.0.0.1 on purpose (the auth matrix); the
    // per-address budget for them is tested where it is set (test/api/unauthenticated-flood.test.ts).
    PCONN_RATE_LIMIT_UNAUTHENTICATED_RPS: '0',
    ...options.env,
  });
  const pconn = await createPconn(config, {
    store,
    ...(options.driver ? { driver: options.driver } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
    logger: options.logger ?? pino({ level: process.env.PCONN_TEST_LOG_LEVEL ?? 'silent' }),
  });
  await pconn.app.listen({ host: '127.0.0.1', port: 0 });
  const url = `http://127.0.0.1:${(pconn.app.server.address() as AddressInfo).port}`;

  const request = async <T>(
    method: string,
    path: string,
    opts: RequestOptions = {},
  ): Promise<ApiResponse<T>> => {
    const headers: Record<string, string> = { ...opts.headers };
    const token = opts.token === undefined ? await server.adminToken() : opts.token;
    if (token) headers.authorization = `Bearer ${token}`;
    let body: string | Buffer | undefined = opts.rawBody;
    if (opts.body !== undefined) {
      body = JSON.stringify(opts.body);
      headers['content-type'] ??= 'application/json';
    }
    const response = await fetch(`${url}${path}`, { method, headers, body });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // non-JSON body (HTML pages)
    }
    return { status: response.status, headers: response.headers, body: parsed as T, text };
  };

  let cachedAdminToken: string | undefined;
  const token = async (clientId: string, secret: string, scope?: string) => {
    const form = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: clientId,
      client_secret: secret,
    });
    if (scope !== undefined) form.set('scope', scope);
    const response = await fetch(`${url}/oauth/token`, { method: 'POST', body: form });
    const json = (await response.json()) as { access_token?: string };
    if (!json.access_token) throw new Error(`token request failed: ${JSON.stringify(json)}`);
    return json.access_token;
  };

  const server: TestServer = {
    url,
    pconn,
    store,
    adminId,
    adminSecret,
    async adminToken() {
      cachedAdminToken ??= await token(adminId, adminSecret);
      return cachedAdminToken;
    },
    async tokenWithScopes(scopes, tenantId = 'default') {
      const created = await request<{ clientId: string; clientSecret: string }>(
        'POST',
        `/v1/tenants/${tenantId}/clients`,
        {
          body: {
            name: `test ${scopes.join(' ') || 'none'}`,
            scopes: scopes.length > 0 ? scopes : ['audit:read'],
          },
        },
      );
      if (created.status !== 201) throw new Error(`client creation failed: ${created.text}`);
      return token(created.body.clientId, created.body.clientSecret, scopes.join(' '));
    },
    request,
    async close() {
      await pconn.close();
      await store.close();
      await dropDatabase?.();
    },
  };
  return server;
}
