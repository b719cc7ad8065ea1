import { readFileSync } from 'node:fs';
import { ConfigError, integer, onOff, positiveNumber, text } from './config/env-values.ts';
import { type SipConfig, sipConfig } from './config/sip-config.ts';
import type { SettingName } from './config-settings.ts';
import { type TracingConfig, tracingConfig } from './observability/otel-config.ts';

/** Every setting pconn reads from the environment; names and defaults come from SETTINGS (docs/configuration.md). */
export interface Config {
  host: string;
  port: number;
  publicUrl: string;
  dataDir: string;
  databaseUrl?: string;
  /** PostgreSQL: run the store's statements prepared (PCONN_PG_PREPARED). */
  pgPrepared: boolean;
  /** Embedded store only: seconds between vacuums of the busy tables (PGlite has no autovacuum). */
  storeVacuumSeconds: number;
  logLevel: string;
  bootstrapClientId?: string;
  bootstrapClientSecret?: string;
  /** Preset password of the console user `admin` created on first start. */
  bootstrapConsolePassword?: string;
  consoleSessionSeconds: number;
  tokenTtlSeconds: number;
  /** Verified tokens remembered per node (PCONN_TOKEN_CACHE_MAX). */
  tokenCacheMax: number;
  /** How often a node rereads the revocation generation, ms (PCONN_AUTH_RECHECK_MS). */
  authRecheckMs: number;
  keyRotationSeconds: number;
  /** Key-encryption keys sealing the stored signing keys: the current one and earlier ones. */
  keyEncryption: { current?: string; previous: string[] };
  rateLimitPerSecond: number;
  rateLimitBurst: number;
  /** Per source address, for requests that fail authentication (PCONN_RATE_LIMIT_UNAUTHENTICATED_*). */
  unauthenticatedRateLimit: { perSecond: number; burst: number };
  /** Proxies whose X-Forwarded-For is believed (PCONN_TRUST_PROXY); false: none. */
  trustProxy: string[] | false;
  /** The unauthenticated audit chain's bounds and the 429 summaries (PCONN_AUDIT_*). */
  auditUnauthenticated: { retentionSeconds: number; maxEntries: number; summarySeconds: number };
  /** HTTP server time limits, ms (PCONN_HTTP_*): slow headers, slow bodies, idle keep-alive. */
  http: { headersTimeoutMs: number; requestTimeoutMs: number; keepAliveTimeoutMs: number };
  /** Largest prompt upload, bytes (PCONN_PROMPT_MAX_BYTES). */
  promptMaxBytes: number;
  /** Largest body of a streamed import (contacts, DNC), bytes (PCONN_IMPORT_MAX_BYTES). */
  importMaxBytes: number;
  webhookAllowPrivate: boolean;
  externalIssuer?: { issuer: string; jwksUrl: string; tenantClaim: string; audience?: string };
  shutdownGraceMs: number;
  telephony: 'sandbox' | 'sip';
  /** SIP driver settings (used when `telephony` is `sip`). */
  sip: SipConfig;
  /** Special-purpose networks trunk and device URIs may point at (PCONN_SIP_ALLOW_DESTINATIONS). */
  sipAllowedDestinations: string;
  sandboxTimeScale: number;
  sandboxDialLog?: string;
  /** Event outbox readers: webhook relay and the SSE stream (PCONN_WEBHOOK_*, PCONN_EVENTS_*). */
  events: EventsConfig;
  dialer: {
    enabled: boolean;
    pollMs: number;
    leaseSeconds: number;
    batchSize: number;
    /** A call that found no free agent waits this long, unless an agent frees up sooner. */
    agentWaitMs: number;
    maxConcurrentCalls: number;
    agentRingSeconds: number;
    contactRingSeconds: number;
    maxCallSeconds: number;
    wrapUpSeconds: number;
    /** How long a preview offer waits for its agent (PCONN_PREVIEW_OFFER_SECONDS). */
    previewOfferSeconds: number;
  };
  /** `GET /metrics`: `public` (default), `token` (admin bearer or PCONN_METRICS_TOKEN) or `off`. */
  metrics: { access: 'public' | 'token' | 'off'; token?: string };
  /** OTLP trace export; undefined when OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT is unset. */
  tracing?: TracingConfig;
}

/** Re-exported: callers of loadConfig catch it and read the SIP part of Config. */
export { ConfigError } from './config/env-values.ts';
/** The SIP part of Config. */
export type { SipConfig, SipTlsFiles } from './config/sip-config.ts';

/** Reads and checks the configuration; throws ConfigError naming the bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const host = text(env, 'HOST');
  const port = integer(env, 'PORT');
  const displayHost =
    host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  const publicUrl = (env.PCONN_PUBLIC_URL || `http://${displayHost}:${port}`).replace(/\/+$/, '');
  const issuer = env.PCONN_EXTERNAL_ISSUER;
  const jwksUrl = env.PCONN_EXTERNAL_JWKS_URL;
  if ((issuer && !jwksUrl) || (!issuer && jwksUrl)) {
    throw new ConfigError('PCONN_EXTERNAL_ISSUER and PCONN_EXTERNAL_JWKS_URL must be set together.');
  }
  if (env.PCONN_BOOTSTRAP_CLIENT_ID && (env.PCONN_BOOTSTRAP_CLIENT_SECRET ?? '').length < 16) {
    throw new ConfigError(
      'PCONN_BOOTSTRAP_CLIENT_SECRET must be set (at least 16 characters) with PCONN_BOOTSTRAP_CLIENT_ID.',
    );
  }
  const consolePassword = env.PCONN_BOOTSTRAP_CONSOLE_PASSWORD;
  if (consolePassword !== undefined && consolePassword !== '' && consolePassword.length < 12)
    throw new ConfigError('PCONN_BOOTSTRAP_CONSOLE_PASSWORD must have at least 12 characters.');
  return {
    host,
    port,
    publicUrl,
    dataDir: text(env, 'PCONN_DATA_DIR'),
    databaseUrl: env.DATABASE_URL || undefined,
    pgPrepared: onOff(env, 'PCONN_PG_PREPARED'),
    storeVacuumSeconds: integer(env, 'PCONN_STORE_VACUUM_SECONDS', 10),
    logLevel: text(env, 'PCONN_LOG_LEVEL'),
    bootstrapClientId: env.PCONN_BOOTSTRAP_CLIENT_ID || undefined,
    bootstrapClientSecret: env.PCONN_BOOTSTRAP_CLIENT_SECRET || undefined,
    bootstrapConsolePassword: env.PCONN_BOOTSTRAP_CONSOLE_PASSWORD || undefined,
    consoleSessionSeconds: integer(env, 'PCONN_CONSOLE_SESSION_SECONDS', 60),
    tokenTtlSeconds: integer(env, 'PCONN_TOKEN_TTL_SECONDS', 60),
    tokenCacheMax: integer(env, 'PCONN_TOKEN_CACHE_MAX', 0),
    authRecheckMs: integer(env, 'PCONN_AUTH_RECHECK_MS', 100),
    keyRotationSeconds: integer(env, 'PCONN_KEY_ROTATION_SECONDS', 60),
    keyEncryption: keyEncryptionKeys(env),
    rateLimitPerSecond: integer(env, 'PCONN_RATE_LIMIT_RPS'),
    rateLimitBurst: integer(env, 'PCONN_RATE_LIMIT_BURST', 1),
    unauthenticatedRateLimit: {
      perSecond: integer(env, 'PCONN_RATE_LIMIT_UNAUTHENTICATED_RPS'),
      burst: integer(env, 'PCONN_RATE_LIMIT_UNAUTHENTICATED_BURST', 1),
    },
    trustProxy: trustedProxies(text(env, 'PCONN_TRUST_PROXY')),
    auditUnauthenticated: {
      retentionSeconds: integer(env, 'PCONN_AUDIT_UNAUTHENTICATED_RETENTION_SECONDS', 60),
      maxEntries: integer(env, 'PCONN_AUDIT_UNAUTHENTICATED_MAX_ENTRIES', 100),
      summarySeconds: integer(env, 'PCONN_AUDIT_SUMMARY_SECONDS', 1),
    },
    http: httpLimits(env),
    importMaxBytes: integer(env, 'PCONN_IMPORT_MAX_BYTES', 1),
    promptMaxBytes: integer(env, 'PCONN_PROMPT_MAX_BYTES', 1024),
    webhookAllowPrivate:
      env.PCONN_WEBHOOK_ALLOW_PRIVATE === '1' || env.PCONN_WEBHOOK_ALLOW_PRIVATE === 'true',
    externalIssuer:
      issuer && jwksUrl
        ? {
            issuer,
            jwksUrl,
            tenantClaim: text(env, 'PCONN_EXTERNAL_TENANT_CLAIM'),
            audience: env.PCONN_EXTERNAL_AUDIENCE || undefined,
          }
        : undefined,
    shutdownGraceMs: integer(env, 'PCONN_SHUTDOWN_GRACE_MS'),
    telephony: telephonyKind(text(env, 'PCONN_TELEPHONY')),
    sip: sipConfig(env),
    // Parsed (and refused when malformed) by main.ts: config.ts knows no addresses.
    sipAllowedDestinations: text(env, 'PCONN_SIP_ALLOW_DESTINATIONS'),
    sandboxTimeScale: positiveNumber(env, 'PCONN_SANDBOX_TIME_SCALE'),
    sandboxDialLog: env.PCONN_SANDBOX_DIAL_LOG || undefined,
    events: eventsConfig(env),
    dialer: {
      enabled: text(env, 'PCONN_DIALER') !== 'off',
      pollMs: integer(env, 'PCONN_DIALER_POLL_MS', 5),
      leaseSeconds: integer(env, 'PCONN_DIALER_LEASE_SECONDS', 1),
      batchSize: integer(env, 'PCONN_DIALER_BATCH', 1),
      agentWaitMs: integer(env, 'PCONN_DIALER_AGENT_WAIT_MS', 10),
      maxConcurrentCalls: integer(env, 'PCONN_MAX_CONCURRENT_CALLS', 1),
      agentRingSeconds: integer(env, 'PCONN_AGENT_RING_SECONDS', 1),
      contactRingSeconds: integer(env, 'PCONN_CONTACT_RING_SECONDS', 1),
      maxCallSeconds: integer(env, 'PCONN_MAX_CALL_SECONDS', 1),
      wrapUpSeconds: integer(env, 'PCONN_WRAP_UP_SECONDS', 0),
      previewOfferSeconds: integer(env, 'PCONN_PREVIEW_OFFER_SECONDS', 1),
    },
    metrics: metricsAccess(text(env, 'PCONN_METRICS'), env.PCONN_METRICS_TOKEN),
    tracing: tracingConfig(
      {
        OTEL_SDK_DISABLED: env.OTEL_SDK_DISABLED,
        OTEL_TRACES_EXPORTER: env.OTEL_TRACES_EXPORTER,
        OTEL_EXPORTER_OTLP_ENDPOINT: env.OTEL_EXPORTER_OTLP_ENDPOINT,
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT,
        OTEL_EXPORTER_OTLP_HEADERS: env.OTEL_EXPORTER_OTLP_HEADERS,
        OTEL_EXPORTER_OTLP_TRACES_HEADERS: env.OTEL_EXPORTER_OTLP_TRACES_HEADERS,
        OTEL_SERVICE_NAME: env.OTEL_SERVICE_NAME,
        OTEL_RESOURCE_ATTRIBUTES: env.OTEL_RESOURCE_ATTRIBUTES,
      },
      (message) => {
        throw new ConfigError(message);
      },
    ),
  };
}

function httpLimits(env: NodeJS.ProcessEnv): Config['http'] {
  const headersTimeoutMs = integer(env, 'PCONN_HTTP_HEADERS_TIMEOUT_MS', 1);
  const requestTimeoutMs = integer(env, 'PCONN_HTTP_REQUEST_TIMEOUT_MS', 1);
  // Node refuses a header timeout longer than the request timeout (the request includes them).
  if (headersTimeoutMs > requestTimeoutMs)
    throw new ConfigError(
      `PCONN_HTTP_HEADERS_TIMEOUT_MS (${headersTimeoutMs}) must not exceed PCONN_HTTP_REQUEST_TIMEOUT_MS (${requestTimeoutMs}).`,
    );
  return {
    headersTimeoutMs,
    requestTimeoutMs,
    keepAliveTimeoutMs: integer(env, 'PCONN_HTTP_KEEP_ALIVE_TIMEOUT_MS', 1),
  };
}

function keyEncryptionKeys(env: NodeJS.ProcessEnv): Config['keyEncryption'] {
  const inline = env.PCONN_KEY_ENCRYPTION_KEY;
  const file = env.PCONN_KEY_ENCRYPTION_KEY_FILE;
  if (inline && file)
    throw new ConfigError('Set PCONN_KEY_ENCRYPTION_KEY or PCONN_KEY_ENCRYPTION_KEY_FILE, not both.');
  let current = inline || undefined;
  if (file) {
    try {
      current = readFileSync(file, 'utf8').replace(/\r?\n$/, '');
    } catch (error) {
      throw new ConfigError(
        `PCONN_KEY_ENCRYPTION_KEY_FILE cannot be read: ${(error as NodeJS.ErrnoException).code ?? 'error'}.`,
      );
    }
  }
  const previous = (env.PCONN_KEY_ENCRYPTION_KEY_PREVIOUS ?? '')
    .split(',')
    .map((key) => key.trim())
    .filter((key) => key !== '');
  // A short secret is guessable offline from a copy of the store; the length is never echoed.
  for (const [name, key] of [
    ['PCONN_KEY_ENCRYPTION_KEY', current],
    ...previous.map((key) => ['PCONN_KEY_ENCRYPTION_KEY_PREVIOUS', key]),
  ] as const)
    if (key !== undefined && key.length < 32)
      throw new ConfigError(`${name} must be at least 32 characters.`);
  if (previous.length > 0 && !current)
    throw new ConfigError(
      'PCONN_KEY_ENCRYPTION_KEY_PREVIOUS needs PCONN_KEY_ENCRYPTION_KEY (the key to re-seal with).',
    );
  return { current, previous };
}

/** Named ranges proxy-addr (Fastify's trustProxy) knows. */
const PROXY_RANGES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/**
 * PCONN_TRUST_PROXY: off, or the proxies' addresses and CIDRs. `true` (trust any hop) is not
 * offered: then every client could name its own address and step around per-address limits.
 */
function trustedProxies(raw: string): string[] | false {
  const value = raw.trim();
  if (value === '' || value === 'off' || value === 'false') return false;
  const entries = value
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  for (const entry of entries) {
    if (PROXY_RANGES.has(entry)) continue;
    const [address, bits, ...rest] = entry.split('/');
    const version = ipVersion(address ?? '');
    const maxBits = version === 6 ? 128 : 32;
    const bitsOk = bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= maxBits);
    if (version === 0 || !bitsOk || rest.length > 0)
      throw new ConfigError(
        `PCONN_TRUST_PROXY: '${entry}' is not an IP address, a CIDR (10.0.0.0/8) or one of ${[...PROXY_RANGES].join(', ')}.`,
      );
  }
  return entries;
}

/** 4 or 6 for an IPv4 or IPv6 address (6: loosely, hex groups and colons), else 0. */
function ipVersion(address: string): 0 | 4 | 6 {
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(address);
  if (v4) return v4.slice(1).every((part) => Number(part) <= 255) ? 4 : 0;
  return /^[0-9a-fA-F:.]+$/.test(address) && address.includes(':') ? 6 : 0;
}

function metricsAccess(access: string, token: string | undefined): Config['metrics'] {
  if (access !== 'public' && access !== 'token' && access !== 'off')
    throw new ConfigError(`PCONN_METRICS must be 'public', 'token' or 'off', got '${access}'.`);
  // A short static token is guessable; the same floor as the bootstrap secret.
  if (token !== undefined && token !== '' && token.length < 16)
    throw new ConfigError('PCONN_METRICS_TOKEN must be at least 16 characters.');
  return { access, token: token || undefined };
}

function telephonyKind(raw: string): 'sandbox' | 'sip' {
  if (raw === 'sandbox') return 'sandbox';
  if (raw === 'sip') return 'sip';
  throw new ConfigError(`PCONN_TELEPHONY must be 'sandbox' or 'sip', got '${raw}'.`);
}

/** Settings of the webhook relay and the event stream. */
export interface EventsConfig {
  /** `off` stops this node from delivering webhooks (another node may). */
  relayEnabled: boolean;
  /** Fallback poll of the outbox (new events on this node wake the readers at once). */
  pollMs: number;
  webhookTimeoutMs: number;
  /** Waits between delivery attempts, ms; after the last one fails the endpoint is disabled. */
  webhookRetrySchedule: number[];
  webhookConcurrency: number;
  /** How long a rotated-out secret keeps signing next to the new one. */
  webhookSecretOverlapSeconds: number;
  sseHeartbeatMs: number;
  /** Concurrent GET /v1/events streams per client and node. */
  sseMaxStreamsPerClient: number;
}

function eventsConfig(env: NodeJS.ProcessEnv): EventsConfig {
  return {
    relayEnabled: text(env, 'PCONN_WEBHOOK_RELAY') !== 'off',
    pollMs: integer(env, 'PCONN_EVENTS_POLL_MS', 5),
    webhookTimeoutMs: integer(env, 'PCONN_WEBHOOK_TIMEOUT_MS', 100),
    webhookRetrySchedule: durationList(env, 'PCONN_WEBHOOK_RETRY_SCHEDULE'),
    // 64: each claim round scans the pending backlog once (≈100 ms on PGlite at a few thousand rows),
    // so rounds must carry enough work; at 16 the relay fell behind at 50 calls/s (lag 16 s → 0.6 s).
    webhookConcurrency: integer(env, 'PCONN_WEBHOOK_CONCURRENCY', 1),
    webhookSecretOverlapSeconds: integer(env, 'PCONN_WEBHOOK_SECRET_OVERLAP_SECONDS'),
    sseHeartbeatMs: integer(env, 'PCONN_EVENTS_HEARTBEAT_MS', 10),
    sseMaxStreamsPerClient: integer(env, 'PCONN_EVENTS_MAX_STREAMS_PER_CLIENT', 1),
  };
}

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** A comma-separated list of durations (`5s,5m,2h`, `250ms`; a bare number is seconds), in ms. */
function durationList(env: NodeJS.ProcessEnv, name: SettingName): number[] {
  const raw = text(env, name);
  return raw.split(',').map((part) => {
    const match = /^\s*([0-9]+(?:\.[0-9]+)?)\s*(ms|s|m|h|d)?\s*$/.exec(part);
    if (!match) throw new ConfigError(`${name} must be a list like '5s,5m,30m,2h', got '${raw}'.`);
    return Math.round(Number(match[1]) * (DURATION_UNITS[match[2] ?? 's'] ?? 1000));
  });
}
