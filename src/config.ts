/** Every setting pconn reads from the environment (the README's config table lists the same). */
export interface Config {
  host: string;
  port: number;
  publicUrl: string;
  dataDir: string;
  databaseUrl?: string;
  logLevel: string;
  bootstrapClientId?: string;
  bootstrapClientSecret?: string;
  tokenTtlSeconds: number;
  keyRotationSeconds: number;
  rateLimitPerSecond: number;
  rateLimitBurst: number;
  webhookAllowPrivate: boolean;
  externalIssuer?: { issuer: string; jwksUrl: string; tenantClaim: string; audience?: string };
  shutdownGraceMs: number;
  telephony: 'sandbox';
  sandboxTimeScale: number;
  sandboxDialLog?: string;
  dialer: {
    enabled: boolean;
    pollMs: number;
    leaseSeconds: number;
    batchSize: number;
    maxConcurrentCalls: number;
    agentRingSeconds: number;
    contactRingSeconds: number;
  };
}

/** A configuration problem found at start-up, named after the variable. */
export class ConfigError extends Error {}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min = 0): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min)
    throw new ConfigError(`${name} must be an integer ≥ ${min}, got '${raw}'.`);
  return value;
}

/** Reads and checks the configuration; throws ConfigError naming the bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const host = env.HOST || '127.0.0.1';
  const port = integer(env, 'PORT', 8080);
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
  return {
    host,
    port,
    publicUrl,
    dataDir: env.PCONN_DATA_DIR || './.pconn/data',
    databaseUrl: env.DATABASE_URL || undefined,
    logLevel: env.PCONN_LOG_LEVEL || 'info',
    bootstrapClientId: env.PCONN_BOOTSTRAP_CLIENT_ID || undefined,
    bootstrapClientSecret: env.PCONN_BOOTSTRAP_CLIENT_SECRET || undefined,
    tokenTtlSeconds: integer(env, 'PCONN_TOKEN_TTL_SECONDS', 3600, 60),
    keyRotationSeconds: integer(env, 'PCONN_KEY_ROTATION_SECONDS', 30 * 86400, 60),
    rateLimitPerSecond: integer(env, 'PCONN_RATE_LIMIT_RPS', 1000),
    rateLimitBurst: integer(env, 'PCONN_RATE_LIMIT_BURST', 2000, 1),
    webhookAllowPrivate:
      env.PCONN_WEBHOOK_ALLOW_PRIVATE === '1' || env.PCONN_WEBHOOK_ALLOW_PRIVATE === 'true',
    externalIssuer:
      issuer && jwksUrl
        ? {
            issuer,
            jwksUrl,
            tenantClaim: env.PCONN_EXTERNAL_TENANT_CLAIM || 'tenant',
            audience: env.PCONN_EXTERNAL_AUDIENCE || undefined,
          }
        : undefined,
    shutdownGraceMs: integer(env, 'PCONN_SHUTDOWN_GRACE_MS', 10000),
    telephony: telephonyKind(env.PCONN_TELEPHONY),
    sandboxTimeScale: positiveNumber(env, 'PCONN_SANDBOX_TIME_SCALE', 1),
    sandboxDialLog: env.PCONN_SANDBOX_DIAL_LOG || undefined,
    dialer: {
      enabled: env.PCONN_DIALER !== 'off',
      pollMs: integer(env, 'PCONN_DIALER_POLL_MS', 200, 5),
      leaseSeconds: integer(env, 'PCONN_DIALER_LEASE_SECONDS', 30, 1),
      batchSize: integer(env, 'PCONN_DIALER_BATCH', 50, 1),
      maxConcurrentCalls: integer(env, 'PCONN_MAX_CONCURRENT_CALLS', 1000, 1),
      agentRingSeconds: integer(env, 'PCONN_AGENT_RING_SECONDS', 30, 1),
      contactRingSeconds: integer(env, 'PCONN_CONTACT_RING_SECONDS', 30, 1),
    },
  };
}

function positiveNumber(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0)
    throw new ConfigError(`${name} must be a positive number, got '${raw}'.`);
  return value;
}

function telephonyKind(raw: string | undefined): 'sandbox' {
  if (raw === undefined || raw === '' || raw === 'sandbox') return 'sandbox';
  throw new ConfigError(
    `PCONN_TELEPHONY must be 'sandbox' (the SIP driver is not available in this build), got '${raw}'.`,
  );
}
