/**
 * Every environment variable pconn reads, in one table: src/config.ts takes each default from
 * here, and docs/configuration.md is generated from it (`npm run docs`), so the parser and the
 * reference cannot drift. test/docs/docs-agree.test.ts checks both ways. A variable whose
 * default depends on others (or is random) shows `defaultText` in the docs instead.
 *
 * A new setting: add its row here (group, default, description), read it in config.ts through
 * `text()`/`integer()` (which take the default from this row), then run `npm run docs`.
 */

import { DIALER_SETTINGS } from './config/dialer-settings.ts';
import { SIP_SETTINGS } from './config/sip-settings.ts';

/** The section of docs/configuration.md a setting appears in. */
export type SettingGroup =
  | 'Server'
  | 'Store'
  | 'Authentication'
  | 'Telephony'
  | 'SIP'
  | 'Sandbox'
  | 'Dialer'
  | 'Events and webhooks'
  | 'Metrics'
  | 'Tracing (OpenTelemetry)'
  | 'CLI';

/** One environment variable: where it belongs, its default and what it does. */
export interface Setting {
  group: SettingGroup;
  /** The value used when the variable is unset or empty, as it would be written in the environment. */
  default?: string;
  /** How the default reads in the docs when it is not a literal value (derived, random, off). */
  defaultText?: string;
  /** What the setting does (markdown, one paragraph). */
  description: string;
}

/** The settings, in the order the docs list them. */
export const SETTINGS = {
  HOST: {
    group: 'Server',
    default: '127.0.0.1',
    description: 'address the HTTP API listens on (`0.0.0.0` for all interfaces)',
  },
  PORT: { group: 'Server', default: '8080', description: 'HTTP port' },
  PCONN_PUBLIC_URL: {
    group: 'Server',
    defaultText: '`http://HOST:PORT`',
    description: 'base URL clients use: the token issuer and the problem `type` URLs are built on it',
  },
  PCONN_LOG_LEVEL: {
    group: 'Server',
    default: 'info',
    description: 'pino level (`fatal` … `trace`, `silent`)',
  },
  PCONN_SHUTDOWN_GRACE_MS: {
    group: 'Server',
    default: '10000',
    description:
      'on SIGTERM, how long in-flight requests and live calls may take; calls still live then are hung up and their ends recorded (up to 10 s more) before the process exits',
  },
  PCONN_RATE_LIMIT_RPS: {
    group: 'Server',
    default: '1000',
    description: 'sustained requests per second per client, per node (`0` disables the limit)',
  },
  PCONN_RATE_LIMIT_BURST: { group: 'Server', default: '2000', description: 'burst size per client' },
  PCONN_RATE_LIMIT_UNAUTHENTICATED_RPS: {
    group: 'Server',
    default: '5',
    description:
      'sustained requests per second per source address that fail authentication (no token, a bad token, an unknown route), per node; past it they get 429 `rate_limited` before any other work and are audited as one summary entry per address (`0` disables the limit). See [security.md](security.md#floods-without-a-token)',
  },
  PCONN_RATE_LIMIT_UNAUTHENTICATED_BURST: {
    group: 'Server',
    default: '20',
    description: 'burst size of that per-address budget',
  },
  PCONN_TRUST_PROXY: {
    group: 'Server',
    defaultText: 'off',
    description:
      'comma-separated addresses or CIDRs of your reverse proxies (or `loopback`, `linklocal`, `uniquelocal`): a request from one of them is taken to come from the client its `X-Forwarded-For` names (the address rate limits and the audit trail use). Off: the connection’s address, and `X-Forwarded-For` is ignored',
  },
  PCONN_AUDIT_UNAUTHENTICATED_RETENTION_SECONDS: {
    group: 'Server',
    default: '2592000',
    description:
      'audit entries of requests that had no usable token (the unauthenticated chain) are kept this long (30 days), then pruned behind a checkpoint entry that `pconn audit verify` starts from; tenants’ chains are never pruned',
  },
  PCONN_AUDIT_UNAUTHENTICATED_MAX_ENTRIES: {
    group: 'Server',
    default: '100000',
    description:
      'the unauthenticated chain keeps at most this many entries: older ones are pruned (behind a checkpoint) even before their retention ends, which bounds its size under floods from many addresses',
  },
  PCONN_AUDIT_SUMMARY_SECONDS: {
    group: 'Server',
    default: '60',
    description:
      'requests refused with 429 before authentication are audited as one summary entry per source address and this many seconds (a count, first and last request id and time), not one entry each',
  },
  PCONN_HTTP_HEADERS_TIMEOUT_MS: {
    group: 'Server',
    default: '15000',
    description:
      'a request line and its headers must arrive within this many ms, or the connection gets 408 `request_timeout` and is closed (slow-header clients); at most `PCONN_HTTP_REQUEST_TIMEOUT_MS`',
  },
  PCONN_HTTP_REQUEST_TIMEOUT_MS: {
    group: 'Server',
    default: '120000',
    description:
      'the whole request, body included, must arrive within this many ms, or the connection gets 408 `request_timeout` and is closed (slow-body clients); streamed imports must upload within it',
  },
  PCONN_HTTP_KEEP_ALIVE_TIMEOUT_MS: {
    group: 'Server',
    default: '72000',
    description:
      'an idle keep-alive connection is closed after this many ms; keep it above your load balancer’s idle timeout (60 s on AWS ALB)',
  },
  PCONN_PROMPT_MAX_BYTES: {
    group: 'Server',
    default: '10485760',
    description:
      'largest prompt upload (PUT /v1/prompts/{id}, a WAV file), bytes: 10 MiB is about 10 minutes of 8 kHz 16-bit audio; larger bodies get 413',
  },
  PCONN_IMPORT_MAX_BYTES: {
    group: 'Server',
    default: '104857600',
    description:
      'largest body the streamed import routes (contacts, DNC) accept, in bytes (100 MiB; a 1.2M-row contact CSV is ~40 MB); beyond it 413 `payload_too_large`',
  },
  PCONN_DATA_DIR: {
    group: 'Store',
    default: './.pconn/data',
    description: 'embedded store (PGlite) directory, used when `DATABASE_URL` is unset',
  },
  DATABASE_URL: {
    group: 'Store',
    description: 'PostgreSQL ≥ 15 connection string; several pconn nodes may share it (production)',
  },
  PCONN_PG_PREPARED: {
    group: 'Store',
    default: 'on',
    description:
      "PostgreSQL only: `on` runs the store's statements as named prepared statements, parsed once per connection and kept on their cached plan; `off` for a transaction-mode pooler that does not carry prepared statements across sessions (PgBouncer before 1.21, or without `max_prepared_statements`)",
  },
  PCONN_STORE_VACUUM_SECONDS: {
    group: 'Store',
    default: '600',
    description:
      "embedded store only: how often the busy tables are vacuumed (PGlite has no autovacuum); on both stores a busy table is also re-analyzed whenever it has doubled in pages or in live rows since its last analyze (the rows catch an analyze that ran before an import's rows were committed), once it has 128 pages or if its statistics saw no rows, one table at a time",
  },
  PCONN_BOOTSTRAP_CLIENT_ID: {
    group: 'Authentication',
    description:
      'preset id of the admin client created on first start (automation, tests); unset, one is generated and printed once',
  },
  PCONN_BOOTSTRAP_CLIENT_SECRET: {
    group: 'Authentication',
    description: 'its secret (≥ 16 characters); required with the id',
  },
  PCONN_BOOTSTRAP_CONSOLE_PASSWORD: {
    group: 'Authentication',
    description:
      'preset password (≥ 12 characters) of the console user `admin` created on first start (automation, tests); unset, one is generated and printed once',
  },
  PCONN_CONSOLE_SESSION_SECONDS: {
    group: 'Authentication',
    default: '28800',
    description:
      'how long a console sign-in lasts (8 h); its access tokens live 15 minutes and are renewed from the session cookie',
  },
  PCONN_TOKEN_TTL_SECONDS: { group: 'Authentication', default: '3600', description: 'access token lifetime' },
  PCONN_TOKEN_CACHE_MAX: {
    group: 'Authentication',
    default: '10000',
    description:
      'access tokens each node remembers as verified (keyed by their SHA-256, until their `exp`), so a token sent on every request is verified once; the oldest makes room when full; `0` verifies every request',
  },
  PCONN_AUTH_RECHECK_MS: {
    group: 'Authentication',
    default: '2000',
    description:
      "how often, at most, a node reads the store's revocation generation: a client revoked on any node has its tokens refused on every node within this (plus one read)",
  },
  PCONN_KEY_ROTATION_SECONDS: {
    group: 'Authentication',
    default: '2592000',
    description:
      'how long a signing key signs (30 days) before a new one takes over; old keys stay in the JWKS until their tokens expire',
  },
  PCONN_KEY_ENCRYPTION_KEY: {
    group: 'Authentication',
    defaultText: 'off (keys stored as plain JWKs)',
    description:
      'key-encryption key (≥ 32 characters, e.g. `openssl rand -base64 32`): token signing keys are stored sealed with it (AES-256-GCM); every node needs the same value; set, it also seals keys stored before',
  },
  PCONN_KEY_ENCRYPTION_KEY_FILE: {
    group: 'Authentication',
    description: 'file holding the key-encryption key instead (a mounted secret); trailing newline ignored',
  },
  PCONN_KEY_ENCRYPTION_KEY_PREVIOUS: {
    group: 'Authentication',
    description:
      'comma-separated earlier key-encryption keys, to rotate: keys sealed with them still open and are re-sealed with the current one at start',
  },
  PCONN_EXTERNAL_ISSUER: {
    group: 'Authentication',
    description: '`iss` of an external token issuer to trust (e.g. your IdP)',
  },
  PCONN_EXTERNAL_JWKS_URL: {
    group: 'Authentication',
    description: 'JWKS URL of that issuer (required with it)',
  },
  PCONN_EXTERNAL_TENANT_CLAIM: {
    group: 'Authentication',
    default: 'tenant',
    description: 'claim that names the pconn tenant in external tokens',
  },
  PCONN_EXTERNAL_AUDIENCE: {
    group: 'Authentication',
    description: 'required `aud` of external tokens, if set',
  },
  PCONN_TELEPHONY: {
    group: 'Telephony',
    default: 'sandbox',
    description:
      'telephony driver: `sandbox` (in-process, magic numbers) or `sip` (real calls, see [telephony.md](telephony.md))',
  },
  ...SIP_SETTINGS,
  ...DIALER_SETTINGS,
  PCONN_EVENTS_POLL_MS: {
    group: 'Events and webhooks',
    default: '250',
    description: 'fallback poll of the event outbox (events written on the same node are read at once)',
  },
  PCONN_EVENTS_HEARTBEAT_MS: {
    group: 'Events and webhooks',
    default: '15000',
    description: 'interval of the `: heartbeat` comment on `GET /v1/events`',
  },
  PCONN_EVENTS_MAX_STREAMS_PER_CLIENT: {
    group: 'Events and webhooks',
    default: '10',
    description:
      'concurrent `GET /v1/events` streams one client may hold on a node; beyond it the client gets 429 `rate_limited` with `Retry-After`, and closing a stream frees its slot',
  },
  PCONN_WEBHOOK_RELAY: {
    group: 'Events and webhooks',
    default: 'on',
    description: '`off`: this node delivers no webhooks (another node sharing the database does)',
  },
  PCONN_WEBHOOK_ALLOW_PRIVATE: {
    group: 'Events and webhooks',
    defaultText: 'off',
    description:
      '`1` (or `true`) allows webhook URLs on private/loopback addresses (checked on save and again at each delivery)',
  },
  PCONN_WEBHOOK_RETRY_SCHEDULE: {
    group: 'Events and webhooks',
    default: '5s,5m,30m,2h,5h,10h,10h',
    description:
      'waits between delivery attempts (`ms`/`s`/`m`/`h`/`d`; a bare number is seconds), each ±20 % jitter; when the last retry fails too the endpoint is disabled',
  },
  PCONN_WEBHOOK_TIMEOUT_MS: {
    group: 'Events and webhooks',
    default: '10000',
    description: 'bound on one webhook request',
  },
  PCONN_WEBHOOK_CONCURRENCY: {
    group: 'Events and webhooks',
    default: '64',
    description:
      'webhook requests in flight per node (each claim round takes up to this many per-call chains)',
  },
  PCONN_WEBHOOK_SECRET_OVERLAP_SECONDS: {
    group: 'Events and webhooks',
    default: '86400',
    description: 'after `rotateSecret`, how long the old secret keeps signing next to the new one',
  },
  PCONN_METRICS: {
    group: 'Metrics',
    default: 'public',
    description:
      '`GET /metrics`: `public` (no auth), `token` (`PCONN_METRICS_TOKEN` or an `admin` access token) or `off` (no route)',
  },
  PCONN_METRICS_TOKEN: {
    group: 'Metrics',
    description: 'static bearer token (≥ 16 characters) accepted on `/metrics` with `PCONN_METRICS=token`',
  },
  OTEL_EXPORTER_OTLP_ENDPOINT: {
    group: 'Tracing (OpenTelemetry)',
    description: 'OTLP/HTTP base URL; traces go to `<url>/v1/traces`. Unset: tracing off (zero cost)',
  },
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: {
    group: 'Tracing (OpenTelemetry)',
    description: 'full traces URL, used as is (overrides the base URL)',
  },
  OTEL_EXPORTER_OTLP_HEADERS: {
    group: 'Tracing (OpenTelemetry)',
    description: '`key=value,key2=value2` (percent-encoded) sent with every export, e.g. `api-key=…`',
  },
  OTEL_EXPORTER_OTLP_TRACES_HEADERS: {
    group: 'Tracing (OpenTelemetry)',
    description: 'the same, for traces only (added to the above)',
  },
  OTEL_SERVICE_NAME: {
    group: 'Tracing (OpenTelemetry)',
    default: 'pconn',
    description: '`service.name` of the spans',
  },
  OTEL_RESOURCE_ATTRIBUTES: {
    group: 'Tracing (OpenTelemetry)',
    description: 'extra resource attributes, `key=value,…` (e.g. `deployment.environment=prod`)',
  },
  OTEL_SDK_DISABLED: {
    group: 'Tracing (OpenTelemetry)',
    description: '`true` turns tracing off even with an endpoint set',
  },
  OTEL_TRACES_EXPORTER: {
    group: 'Tracing (OpenTelemetry)',
    description: '`none` turns tracing off even with an endpoint set',
  },
  PCONN_URL: {
    group: 'CLI',
    defaultText: 'the profile’s, else `http://127.0.0.1:8080`',
    description: "the `pconn` CLI's server URL (`--url` wins over it, it wins over the profile)",
  },
  PCONN_CLIENT_ID: { group: 'CLI', description: "the CLI's client id (`--client-id` wins over it)" },
  PCONN_CLIENT_SECRET: {
    group: 'CLI',
    description: "the CLI's client secret (`--client-secret` wins over it)",
  },
  PCONN_PROFILE: {
    group: 'CLI',
    defaultText: 'the default profile, else `default`',
    description: 'the CLI profile to use (`--profile` wins over it)',
  },
  PCONN_CONFIG_DIR: {
    group: 'CLI',
    defaultText: '`$XDG_CONFIG_HOME/pconn`, else `~/.config/pconn`',
    description: 'where `pconn login` keeps profiles (`profiles.json`, mode 0600)',
  },
} as const satisfies Record<string, Setting>;

/** The name of an environment variable pconn reads. */
export type SettingName = keyof typeof SETTINGS;

/** The value of a setting: the environment's, else its default from the table (undefined if none). */
export function settingValue(env: NodeJS.ProcessEnv, name: SettingName): string | undefined {
  const raw = env[name];
  if (raw !== undefined && raw !== '') return raw;
  const setting: Setting = SETTINGS[name];
  return setting.default;
}
