import { fileURLToPath, pathToFileURL } from 'node:url';
import type { FastifyInstance } from 'fastify';
import pino, { type Logger } from 'pino';
import { buildApp, type ResourceServices } from './api/build-app.ts';
import { type Config, ConfigError, loadConfig } from './config.ts';
import { Dialer, newDialerOwner, SHUTDOWN_RECORD_MS } from './dialer/dialer.ts';
import { type Clock, systemClock } from './domain/clock.ts';
import { type NetworkAllowList, parseNetworkAllowList } from './domain/sip-destination.ts';
import type { TelephonyDriver } from './domain/telephony.ts';
import { EventStreamHub } from './events/event-stream-hub.ts';
import { notifyOnOutboxOperations, OutboxSignal } from './events/outbox-signal.ts';
import { WebhookRelay } from './events/webhook-relay.ts';
import { CallTelemetry } from './observability/call-telemetry.ts';
import { PconnMetrics } from './observability/metrics.ts';
import { Tracing } from './observability/tracing.ts';
import { AuditWriter } from './service/audit/audit-writer.ts';
import { RefusalSummaries } from './service/audit/refusal-summaries.ts';
import { UnauthenticatedAuditRetention } from './service/audit/unauthenticated-retention.ts';
import { KeyEncryption } from './service/auth/key-encryption.ts';
import { SigningKeyRing } from './service/auth/signing-keys.ts';
import { TokenService } from './service/auth/token-service.ts';
import { callerIdKind } from './service/resources/caller-ids.ts';
import { campaignKind } from './service/resources/campaigns.ts';
import { contactKind } from './service/resources/contacts.ts';
import { ResourceService } from './service/resources/resource-service.ts';
import { trunkKind } from './service/resources/trunks.ts';
import { userKind } from './service/resources/users.ts';
import { webhookKind } from './service/resources/webhooks.ts';
import { type BootstrapResult, bootstrap } from './service/tenancy/bootstrap.ts';
import { SANDBOX_DEMO, seedSandboxDemo } from './service/tenancy/sandbox-demo.ts';
import { TenantSettingsCache } from './service/tenancy/tenants.ts';
import { countAgentStates } from './store/agent-sessions/agent-state-sweeps.ts';
import { countWaitingCalls } from './store/calls/queue-depth.ts';
import { discardAbandonedImports } from './store/contact-import.ts';
import { StoreMaintenance } from './store/maintenance.ts';
import { openStore, type Store, type StoreOptions } from './store/open-store.ts';
import { observeOperations } from './store/store-operation.ts';
import { SandboxDriver } from './telephony/sandbox/sandbox-driver.ts';
import { NodeHeartbeat } from './wiring/node-heartbeat.ts';
import { ThreadedSipDriver } from './wiring/sip-thread/threaded-sip-driver.ts';
import { startSipDriver, tenantTrunkCache } from './wiring/start-sip-driver.ts';
import { storeOptionsFor } from './wiring/store-options.ts';
import { startStoreSweeps } from './wiring/store-sweeps.ts';

/** A running (or ready to run) pconn node. */
export interface Pconn {
  app: FastifyInstance;
  store: Store;
  config: Config;
  bootstrap: BootstrapResult | undefined;
  dialer: Dialer;
  /** The telephony driver in use (sandbox or SIP). */
  driver: TelephonyDriver;
  /** Stops accepting requests, finishes in-flight ones, flushes the audit trail, closes the store. */
  close(): Promise<void>;
}

/** Overrides for tests: an already-open store, a fixed clock, a logger. */
export interface PconnOverrides {
  store?: Store;
  storeOptions?: StoreOptions;
  clock?: Clock;
  logger?: Logger;
  /** Telephony driver to use instead of the configured one (tests, benchmarks). */
  driver?: TelephonyDriver;
}

/** The composition root: builds every part of pconn from the configuration. */
export async function createPconn(config: Config, overrides: PconnOverrides = {}): Promise<Pconn> {
  const logger =
    overrides.logger ??
    pino({
      level: config.logLevel,
      redact: {
        paths: ['req.headers.authorization', '*.password', '*.clientSecret', '*.client_secret'],
        censor: '[redacted]',
      },
    });
  const clock = overrides.clock ?? systemClock;
  const store =
    overrides.store ?? (await openStore(overrides.storeOptions ?? storeOptionsFor(config, logger)));
  // Every write to the event outbox wakes its readers (webhook relay, SSE hub) at once.
  const outboxSignal = new OutboxSignal();
  const db = store.db.withPlugin(outboxSignal.plugin());
  observeOperations(db, notifyOnOutboxOperations(outboxSignal));
  const boot = await bootstrap(
    db,
    {
      clientId: config.bootstrapClientId,
      clientSecret: config.bootstrapClientSecret,
      consolePassword: config.bootstrapConsolePassword,
    },
    clock.now(),
  );
  const demo = boot?.generatedSecret !== undefined && config.telephony === 'sandbox' && !overrides.driver;
  if (demo) await seedSandboxDemo(db, clock.now());
  await discardAbandonedImports(db, 3600_000, clock.now());
  const keys = new SigningKeyRing(
    db,
    { rotationSeconds: config.keyRotationSeconds, tokenTtlSeconds: config.tokenTtlSeconds },
    clock,
    new KeyEncryption(config.keyEncryption.current, config.keyEncryption.previous),
  );
  const resealed = await keys.sealStoredKeys();
  if (resealed > 0)
    logger.info({ keys: resealed }, 'sealed stored signing keys with the current key-encryption key');
  await keys.refresh();
  const tokens = new TokenService(
    db,
    keys,
    {
      issuer: config.publicUrl,
      audience: 'pconn',
      tokenTtlSeconds: config.tokenTtlSeconds,
      external: config.externalIssuer,
      tokenCacheMax: config.tokenCacheMax,
      revocationRecheckMs: config.authRecheckMs,
    },
    clock,
  );
  const audit = new AuditWriter(db, logger);
  // Requests with no usable token: 429s past an address's budget are summarized, and the chain
  // they are written to is pruned behind checkpoints (docs/security.md).
  const refusalSummaries = new RefusalSummaries(
    audit,
    clock,
    logger,
    config.auditUnauthenticated.summarySeconds * 1000,
  );
  const auditRetention = new UnauthenticatedAuditRetention(db, clock, logger, {
    retentionSeconds: config.auditUnauthenticated.retentionSeconds,
    maxEntries: config.auditUnauthenticated.maxEntries,
    everyMs: 60_000,
  });
  const sipAllowed = sipAllowedNetworks(config.sipAllowedDestinations);
  const trunkCache = tenantTrunkCache(db, clock);
  const resources = {
    campaigns: new ResourceService(db, campaignKind),
    contacts: new ResourceService(db, contactKind),
    users: new ResourceService(db, userKind({ allowedNetworks: sipAllowed })),
    callerIds: new ResourceService(db, callerIdKind),
    trunks: new ResourceService(db, trunkKind({ allowedNetworks: sipAllowed }), (tenantId) =>
      trunkCache.forget(tenantId),
    ),
    webhooks: new ResourceService(
      db,
      webhookKind({
        allowPrivate: config.webhookAllowPrivate,
        secretOverlapMs: config.events.webhookSecretOverlapSeconds * 1000,
      }),
    ),
  } as unknown as ResourceServices;
  // Built before the driver and the relay: both report into it (SIP transactions, webhook deliveries).
  const metrics = new PconnMetrics((error) => logger.warn({ err: error }, 'metrics collection failed'));
  // One id for the node: its dialer's lease owner and the holder of the phones registered here.
  const nodeId = newDialerOwner();
  const driver =
    overrides.driver ??
    (config.telephony === 'sip'
      ? await startSipDriver(config, { db, clock, logger, metrics, nodeId, trunks: trunkCache })
      : new SandboxDriver({ timeScale: config.sandboxTimeScale, dialLog: config.sandboxDialLog }));
  // A node that places calls and holds phones' flows tells the others it is alive; one that does
  // not dial must not have calls handed to it. (A binding mirrored before the first beat is safe:
  // pruning keeps the bindings of a node without a row.)
  const heartbeat =
    driver instanceof ThreadedSipDriver && !overrides.driver && config.dialer.enabled
      ? new NodeHeartbeat({ db, clock, logger, nodeId, aliveSeconds: config.dialer.leaseSeconds })
      : undefined;
  await heartbeat?.start();
  if (driver instanceof ThreadedSipDriver) {
    const sip = driver.listenInfo();
    logger.info(
      { sip: { ...sip, realm: config.sip.realm, digestAlgorithms: config.sip.digestAlgorithms } },
      'SIP listening',
    );
  }
  const tracing = await Tracing.create(config.tracing, (error) =>
    logger.warn({ err: error, endpoint: config.tracing?.tracesUrl }, 'span export failed'),
  );
  const telemetry = new CallTelemetry({ metrics, tracing, logger });
  const dialer = new Dialer({
    db,
    driver,
    clock,
    logger,
    options: config.dialer,
    telemetry,
    owner: nodeId,
    onAgentStateChanged: (change) => metrics.agentStates.changed(change),
    onCampaignStats: (stats) => metrics.campaignStats.update(stats),
  });
  metrics.agentStates.track(() => countAgentStates(db));
  metrics.track({
    queueDepth: () => countWaitingCalls(db, clock.now()),
    activeCalls: () => dialer.activeCalls,
  });
  const relay = new WebhookRelay({
    db,
    signal: outboxSignal,
    clock,
    logger,
    options: {
      pollMs: config.events.pollMs,
      timeoutMs: config.events.webhookTimeoutMs,
      retrySchedule: config.events.webhookRetrySchedule,
      concurrency: config.events.webhookConcurrency,
      allowPrivate: config.webhookAllowPrivate,
    },
    onAttempt: (attempt) => metrics.webhookDelivered(attempt.endpointId, attempt.ok, attempt.lagMs / 1000),
  });
  const eventHub = new EventStreamHub({ db, signal: outboxSignal, logger, pollMs: config.events.pollMs });
  let shuttingDown = false;
  const app = await buildApp({
    store: { ...store, db },
    events: {
      hub: eventHub,
      heartbeatMs: config.events.sseHeartbeatMs,
      onRedeliver: () => relay.wake(),
      maxStreamsPerClient: config.events.sseMaxStreamsPerClient,
    },
    tokens,
    keys,
    tenants: new TenantSettingsCache(db, clock),
    audit,
    resources,
    clock,
    logger,
    publicUrl: config.publicUrl,
    rateLimit: { perSecond: config.rateLimitPerSecond, burst: config.rateLimitBurst },
    unauthenticatedRateLimit: config.unauthenticatedRateLimit,
    refusalSummaries,
    trustProxy: config.trustProxy,
    http: config.http,
    importMaxBytes: config.importMaxBytes,
    promptMaxBytes: config.promptMaxBytes,
    isShuttingDown: () => shuttingDown,
    consoleSessionSeconds: config.consoleSessionSeconds,
    // Beside this module both as src/main.ts (tsx) and as the bundle dist/main.js (npm start).
    consoleDir: fileURLToPath(new URL('../dist/console/', import.meta.url)),
    calls: {
      sandbox: driver.name === 'sandbox',
      onCallsCreated: (count) => {
        metrics.callsAccepted(count);
        dialer.wake();
      },
      onSessionChanged: () => dialer.sessionsChanged(),
    },
    observability: { metrics, tracing, metricsAccess: config.metrics },
  });
  refusalSummaries.start();
  auditRetention.start();
  if (config.dialer.enabled) dialer.start();
  if (config.events.relayEnabled) relay.start();
  const stopSweeps = startStoreSweeps({
    db,
    clock,
    logger,
    ...(driver instanceof ThreadedSipDriver ? { sipNonceTtlSeconds: config.sip.nonceTtlSeconds } : {}),
  });
  // PGlite has no autovacuum: pconn keeps its statistics and dead rows in check itself. On
  // PostgreSQL autovacuum does both, but re-analyzes only after a minute or more: a fresh
  // database's tables that double meanwhile are re-analyzed at once (store/maintenance.ts).
  const maintenance = new StoreMaintenance(db, logger, {
    checkEveryMs: 2000,
    analyzeGapMs: 250,
    vacuumEveryMs: store.kind === 'pglite' ? config.storeVacuumSeconds * 1000 : Number.POSITIVE_INFINITY,
    clock,
  });
  maintenance.start();
  let closed: Promise<void> | undefined;
  return {
    app,
    store,
    config,
    bootstrap: boot,
    dialer,
    driver,
    close() {
      closed ??= (async () => {
        shuttingDown = true;
        stopSweeps();
        await maintenance.stop();
        await auditRetention.stop();
        await app.close();
        // After the server: the last refused requests are counted, then their summaries written.
        await refusalSummaries.stop();
        await dialer.stop(config.shutdownGraceMs);
        eventHub.close();
        await relay.stop();
        await driver.close();
        await heartbeat?.stop();
        await audit.drain(config.shutdownGraceMs);
        // After the dialer: its last attempt spans are ended, then flushed in one export.
        await tracing.shutdown().catch((error: unknown) => logger.warn({ err: error }, 'span flush failed'));
        if (!overrides.store) await store.close();
      })();
      return closed;
    },
  };
}

function printWelcome(pconn: Pconn): void {
  const { config, bootstrap: boot } = pconn;
  const url = config.publicUrl;
  const lines = [`pconn listening on ${url}  (API reference: ${url}/docs, web console: ${url}/console)`];
  if (pconn.driver instanceof ThreadedSipDriver) lines.push(...sipBanner(pconn.driver, config));
  if (boot?.generatedSecret) {
    lines.push(
      '',
      'Created tenant "default" and an admin client. The secret is shown only this once:',
      `  client id:     ${boot.clientId}`,
      `  client secret: ${boot.generatedSecret}`,
      '',
      'Get an access token:',
      `  curl -s -u '${boot.clientId}:${boot.generatedSecret}' -d grant_type=client_credentials ${url}/oauth/token`,
    );
    if (boot.consoleAdmin?.generatedPassword)
      lines.push(
        '',
        `Console user (shown only this once; sign in at ${url}/console):`,
        `  user:     ${boot.consoleAdmin.userId}`,
        `  password: ${boot.consoleAdmin.generatedPassword}`,
      );
    // The demo campaign exists only on the sandbox (createPconn seeds it there alone).
    if (pconn.driver.name === 'sandbox')
      lines.push(
        '',
        `Place a first (sandbox) call — campaign '${SANDBOX_DEMO.campaignId}' is ready, with agent '${SANDBOX_DEMO.userId}':`,
        `  TOKEN=$(curl -s -u '${boot.clientId}:${boot.generatedSecret}' -d grant_type=client_credentials ${url}/oauth/token | sed -E 's/.*"access_token":"([^"]+)".*/\\1/')`,
        `  curl -s -X POST ${url}/v1/campaigns/${SANDBOX_DEMO.campaignId}/calls -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' -d '{"contact":{"externalId":"demo-1","phoneNumbers":[{"phoneType":"mobile","number":"+12125550123"}]}}'`,
        `  curl -s ${url}/v1/calls/CALL_ID/events -H "authorization: Bearer $TOKEN"     # CALL_ID from the answer above`,
      );
    else lines.push('', 'Set up caller ids, agents and a campaign: see README.md "First requests".');
  } else {
    lines.push(
      `Get a token: curl -s -u "$CLIENT_ID:$CLIENT_SECRET" -d grant_type=client_credentials ${url}/oauth/token`,
    );
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

/** Where agents point their softphones: the SIP socket and the account to configure. */
function sipBanner(driver: ThreadedSipDriver, config: Config): string[] {
  const sip = driver.listenInfo();
  const [first = sip.bound] = sip.reachableAt;
  return [
    `SIP (${sip.transport}) listening on ${sip.bound}; softphones register at: ${sip.reachableAt.join(', ') || sip.bound}`,
    `  account: ${sip.transport === 'tls' ? 'sips' : 'sip'}:USERNAME@${first}${sip.transport === 'tcp' ? ';transport=tcp' : ''}, realm "${config.sip.realm}", digest ${config.sip.digestAlgorithms.join('/')} (users with device {"type":"registered","username","password"})`,
  ];
}

/** Starts a node from the environment and stops it gracefully on SIGTERM/SIGINT. */
export async function serve(env: NodeJS.ProcessEnv = process.env): Promise<Pconn> {
  const config = loadConfig(env);
  const pconn = await createPconn(config);
  await pconn.app.listen({ host: config.host, port: config.port });
  printWelcome(pconn);
  const stop = (signal: string) => {
    pconn.app.log.info({ signal }, 'shutting down');
    // The backstop past every bounded step: the grace for live requests and calls, recording the
    // calls then hung up, and a few seconds for the last flushes and the store's close.
    const force = setTimeout(() => process.exit(1), config.shutdownGraceMs + SHUTDOWN_RECORD_MS + 5000);
    force.unref();
    pconn.close().then(
      () => process.exit(0),
      (error: unknown) => {
        pconn.app.log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  return pconn;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  serve().catch((error: unknown) => {
    if (error instanceof ConfigError) process.stderr.write(`pconn: configuration error: ${error.message}\n`);
    else process.stderr.write(`pconn: failed to start: ${(error as Error).message}\n`);
    process.exit(1);
  });
}

/** PCONN_SIP_ALLOW_DESTINATIONS, parsed; a malformed list stops start-up naming the setting. */
function sipAllowedNetworks(raw: string): NetworkAllowList {
  const parsed = parseNetworkAllowList(raw);
  if ('error' in parsed)
    throw new ConfigError(
      `PCONN_SIP_ALLOW_DESTINATIONS must be a comma-separated list of CIDR blocks or 'none': ${parsed.error}`,
    );
  return parsed;
}
