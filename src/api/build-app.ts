import { Type } from '@sinclair/typebox';
import Fastify, { type FastifyInstance, LogController } from 'fastify';
import type { Logger } from 'pino';
import { Campaign, CampaignInput } from '../contract/campaigns.ts';
import { Id, PhoneNumber } from '../contract/common.ts';
import { Contact, ContactInput } from '../contract/contacts.ts';
import { ProblemSchema } from '../contract/problem.ts';
import {
  CallerId,
  CallerIdInput,
  Trunk,
  TrunkInput,
  Webhook,
  WebhookInput,
} from '../contract/telephony-config.ts';
import { User, UserInput } from '../contract/users.ts';
import type { Clock } from '../domain/clock.ts';
import { UnavailableError } from '../domain/pconn-error.ts';
import type { EventStreamHub } from '../events/event-stream-hub.ts';
import type { PconnMetrics } from '../observability/metrics.ts';
import type { Tracing } from '../observability/tracing.ts';
import type { AuditWriter } from '../service/audit/audit-writer.ts';
import type { RefusalSummaries } from '../service/audit/refusal-summaries.ts';
import type { SigningKeyRing } from '../service/auth/signing-keys.ts';
import type { TokenService } from '../service/auth/token-service.ts';
import { ConsoleSessions } from '../service/console/console-sessions.ts';
import type { ResourceService } from '../service/resources/resource-service.ts';
import type { TenantSettingsCache } from '../service/tenancy/tenants.ts';
import type { Store } from '../store/open-store.ts';
import { bodyAjv, parameterAjv } from './ajv-instances.ts';
import { AllowedMethods } from './allowed-methods.ts';
import './fastify-types.ts';
import { registerAuditTrail } from './plugins/audit-trail.ts';
import { registerAuthentication } from './plugins/authentication.ts';
import { registerJsonParser } from './plugins/body-parsers.ts';
import { clientErrorResponder, expectationResponder } from './plugins/client-error-responder.ts';
import { registerConsoleAssets } from './plugins/console-assets.ts';
import { frameworkErrorResponder, registerErrorHandler } from './plugins/error-handler.ts';
import { registerObservability } from './plugins/observability.ts';
import { registerOpenApiDocs } from './plugins/openapi-docs.ts';
import { RateLimiter } from './plugins/rate-limiter.ts';
import { requestIdFor } from './plugins/request-id.ts';
import { logRequestLine } from './request-log-line.ts';
import { registerAgentSessionRoutes } from './routes/agent-sessions.ts';
import { registerAuditRoutes } from './routes/audit.ts';
import { registerCallRoutes } from './routes/calls.ts';
import { registerCampaignAbandonmentRoute } from './routes/campaign-abandonment.ts';
import { registerCampaignActionRoutes } from './routes/campaign-actions.ts';
import { registerConsoleSessionRoutes } from './routes/console-session.ts';
import { registerContactImportRoutes } from './routes/contact-import.ts';
import { registerDncRoutes } from './routes/dnc.ts';
import { registerEventRoutes } from './routes/events.ts';
import { registerHealthRoutes } from './routes/health.ts';
import { type MetricsAccess, registerMetricsRoute } from './routes/metrics.ts';
import { registerOAuthRoutes } from './routes/oauth.ts';
import { registerProblemPages } from './routes/problem-pages.ts';
import { registerPromptRoutes } from './routes/prompts.ts';
import { registerResourceRoutes } from './routes/resource-routes.ts';
import { registerTenancyRoutes } from './routes/tenancy.ts';
import { registerUserPasswordRoute } from './routes/user-password.ts';
import { registerWebhookDeliveryRoutes } from './routes/webhook-deliveries.ts';

/** A console sign-in lasts a working day unless PCONN_CONSOLE_SESSION_SECONDS says otherwise. */
const DEFAULT_CONSOLE_SESSION_SECONDS = 8 * 3600;

/** The config resources' services, built by the composition root. */
export interface ResourceServices {
  campaigns: ResourceService<object, object, unknown>;
  contacts: ResourceService<object, object, unknown>;
  users: ResourceService<object, object, unknown>;
  callerIds: ResourceService<object, object, unknown>;
  trunks: ResourceService<object, object, unknown>;
  webhooks: ResourceService<object, object, unknown>;
}

/** Everything the HTTP API needs; main.ts (or a test) builds it. */
export interface AppDeps {
  store: Store;
  tokens: TokenService;
  keys: SigningKeyRing;
  tenants: TenantSettingsCache;
  audit: AuditWriter;
  resources: ResourceServices;
  clock: Clock;
  logger: Logger;
  publicUrl: string;
  rateLimit: { perSecond: number; burst: number };
  /**
   * Per source address, for requests that fail authentication (no token, a bad one, no such
   * route): past it they get 429 before any other work. Absent: no such budget.
   */
  unauthenticatedRateLimit?: { perSecond: number; burst: number };
  /** Requests refused before authentication, audited as summaries; absent: one entry each. */
  refusalSummaries?: RefusalSummaries;
  /**
   * Reverse proxies whose X-Forwarded-For names the client (PCONN_TRUST_PROXY: addresses, CIDRs
   * or proxy-addr's named ranges); the address limits and the audit trail use. Absent: none.
   */
  trustProxy?: string[] | false;
  /** The HTTP server's time limits (PCONN_HTTP_*); absent: Node's defaults, Fastify's keep-alive. */
  http?: HttpLimits;
  /** Largest streamed import body, bytes (PCONN_IMPORT_MAX_BYTES); absent: 100 MiB. */
  importMaxBytes?: number;
  isShuttingDown?: () => boolean;
  /** Largest prompt upload, bytes (PCONN_PROMPT_MAX_BYTES); absent: 10 MiB. */
  promptMaxBytes?: number;
  /** How long a console sign-in lasts, seconds (PCONN_CONSOLE_SESSION_SECONDS); absent: 8 h. */
  consoleSessionSeconds?: number;
  /** The built web console (dist/console) to serve at /console; absent: no console. */
  consoleDir?: string;
  /**
   * Calls: whether the telephony is the sandbox, and how to wake the dialer (for a new call, and
   * for a personal-connection session started or asked to end).
   */
  calls: { sandbox: boolean; onCallsCreated: (count: number) => void; onSessionChanged?: () => void };
  /** The SSE fan-out and the relay's wake-up (GET /v1/events, webhook redelivery). */
  events?: {
    hub: EventStreamHub;
    heartbeatMs: number;
    onRedeliver: () => void;
    /** Concurrent GET /v1/events streams one client may hold on this node (default 10). */
    maxStreamsPerClient?: number;
  };
  /** Prometheus metrics (GET /metrics, per-request counters) and tracing; absent: neither. */
  observability?: { metrics: PconnMetrics; tracing: Tracing; metricsAccess: MetricsAccess };
}

/** Time limits of the HTTP server, in ms (slow-client protection; see docs/security.md). */
export interface HttpLimits {
  /** The request line and headers must arrive within this. */
  headersTimeoutMs: number;
  /** The whole request, body included, must arrive within this. */
  requestTimeoutMs: number;
  /** An idle keep-alive connection is closed after this. */
  keepAliveTimeoutMs: number;
}

/** One registered route, as the auth-matrix test and the OpenAPI check walk them. */
export interface RouteEntry {
  method: string;
  url: string;
  scope: string | null;
  audited: boolean;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Every API route with its scope (docs and static assets excluded). */
    pconnRoutes: RouteEntry[];
  }
}

/** Builds the Fastify app (it never listens itself: main.ts or a test does). */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  // Typed as the default instance: routes and plugins are written against FastifyBaseLogger.
  const app = Fastify({
    loggerInstance: deps.logger,
    // One summary line per request comes from our onResponse hook instead of Fastify's two.
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'requestId' }),
    genReqId: requestIdFor,
    // Never `true`: every client could then name its own address and dodge per-address limits.
    trustProxy: deps.trustProxy && deps.trustProxy.length > 0 ? deps.trustProxy : false,
    bodyLimit: 1024 * 1024,
    // Fastify's own 503 while closing is plain JSON: the onRequest hook below answers a problem.
    return503OnClosing: false,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 256 },
    clientErrorHandler: clientErrorResponder({ publicUrl: deps.publicUrl }),
    frameworkErrors: frameworkErrorResponder({ publicUrl: deps.publicUrl }),
    ...serverTimeouts(deps.http),
  }) as unknown as FastifyInstance;
  app.server.on('checkExpectation', expectationResponder({ publicUrl: deps.publicUrl }, app.log));
  const routes: RouteEntry[] = [];
  const allowedMethods = new AllowedMethods();
  app.decorate('pconnRoutes', routes);
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) allowedMethods.add(method, route.url);
    if (route.url.startsWith('/docs') || route.method === 'HEAD' || route.schema?.hide) return;
    for (const method of [route.method].flat()) {
      routes.push({
        method,
        url: route.url,
        scope: route.config?.scope ?? null,
        audited: route.config?.audit !== false,
      });
    }
  });
  app.setValidatorCompiler(({ schema, httpPart }) =>
    (httpPart === 'body' ? bodyAjv : parameterAjv).compile(schema),
  );
  app.addSchema(ProblemSchema);
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  // The per-request hooks here are callback style: an async hook costs a promise and a
  // microtask on every request for work that never waits.
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    if (closing) {
      // A request on a kept-alive connection after close() began: send it to another node.
      reply.header('connection', 'close');
      done(
        new UnavailableError(
          'unavailable',
          'This node is shutting down; retry (another node may serve it).',
          {
            retryAfterSeconds: 1,
            retryable: true,
          },
        ),
      );
      return;
    }
    done();
  });
  // An answer sent while the body is still arriving (a 401 before a big upload) closes the
  // connection (RFC 9112 §9.6): the rest of that body is never read, and no later timeout can
  // write a second answer onto a connection that already has one.
  app.addHook('onSend', (request, reply, payload, done) => {
    if (request.raw.complete === false) reply.header('connection', 'close');
    done(null, payload);
  });
  // Before authentication, so a rejected request still gets its span and its metric.
  if (deps.observability) registerObservability(app, deps.observability);
  app.addHook('onResponse', (request, reply, done) => {
    logRequestLine(request, reply, deps.refusalSummaries !== undefined);
    done();
  });

  await registerOpenApiDocs(app, deps.publicUrl);

  registerJsonParser(app);
  registerErrorHandler(app, { publicUrl: deps.publicUrl, allowedMethods });
  registerAuthentication(app, {
    tokens: deps.tokens,
    tenants: deps.tenants,
    limiter: new RateLimiter(deps.rateLimit.perSecond, deps.rateLimit.burst, deps.clock),
    ...(deps.unauthenticatedRateLimit
      ? {
          unauthenticatedLimiter: new RateLimiter(
            deps.unauthenticatedRateLimit.perSecond,
            deps.unauthenticatedRateLimit.burst,
            deps.clock,
          ),
        }
      : {}),
    now: () => deps.clock.now(),
  });
  registerAuditTrail(app, deps.audit, deps.clock, {
    publicUrl: deps.publicUrl,
    refusals: deps.refusalSummaries,
  });

  const db = deps.store.db;
  registerHealthRoutes(app, {
    ping: () => deps.store.ping(),
    isShuttingDown: deps.isShuttingDown ?? (() => false),
  });
  registerProblemPages(app);
  if (deps.consoleDir) registerConsoleAssets(app, deps.consoleDir);
  if (deps.observability)
    registerMetricsRoute(app, {
      metrics: deps.observability.metrics,
      tokens: deps.tokens,
      access: deps.observability.metricsAccess,
    });
  registerOAuthRoutes(app, { tokens: deps.tokens, keys: deps.keys, publicUrl: deps.publicUrl });
  registerTenancyRoutes(app, {
    db,
    tenants: deps.tenants,
    onClientRevoked: () => deps.tokens.revocationsChanged(),
  });
  registerAuditRoutes(app, { db });
  registerCampaignActionRoutes(app, { db });
  registerCampaignAbandonmentRoute(app, { db });
  registerContactImportRoutes(app, { db, maxBytes: deps.importMaxBytes });
  registerCallRoutes(app, { db, publicUrl: deps.publicUrl, ...deps.calls });
  registerDncRoutes(app, { db, maxBytes: deps.importMaxBytes });
  registerAgentSessionRoutes(app, {
    db,
    onSessionChanged: deps.calls.onSessionChanged ?? (() => undefined),
    onStateChanged: (change) => deps.observability?.metrics.agentStates.changed(change),
  });
  registerUserPasswordRoute(app, { db });
  registerPromptRoutes(app, { db, ...(deps.promptMaxBytes ? { maxBytes: deps.promptMaxBytes } : {}) });
  registerConsoleSessionRoutes(app, {
    tenants: deps.tenants,
    sessions: new ConsoleSessions(db, deps.tokens, deps.clock, {
      sessionSeconds: deps.consoleSessionSeconds ?? DEFAULT_CONSOLE_SESSION_SECONDS,
    }),
  });
  if (deps.events) {
    registerEventRoutes(app, deps.events);
    registerWebhookDeliveryRoutes(app, { db, onRedeliver: deps.events.onRedeliver });
  }

  const r = deps.resources;
  registerResourceRoutes(app, r.campaigns, {
    path: '/v1/campaigns',
    label: 'Campaign',
    tag: 'Campaigns',
    readScope: 'campaigns:read',
    writeScope: 'campaigns:write',
    input: CampaignInput,
    wire: Campaign,
    idSchema: Id,
    allowPost: true,
    filters: { status: Type.String({ maxLength: 20 }) },
    routeKind: 'campaign',
  });
  registerResourceRoutes(app, r.contacts, {
    path: '/v1/contacts',
    label: 'Contact',
    tag: 'Contacts',
    readScope: 'contacts:read',
    writeScope: 'contacts:write',
    input: ContactInput,
    wire: Contact,
    idSchema: Id,
    allowPost: true,
    filters: { externalId: Type.String({ maxLength: 128 }) },
    routeKind: 'contact',
  });
  registerResourceRoutes(app, r.users, {
    path: '/v1/users',
    label: 'User',
    tag: 'Users',
    readScope: 'users:read',
    writeScope: 'users:write',
    input: UserInput,
    wire: User,
    idSchema: Id,
    allowPost: true,
    filters: { status: Type.String({ maxLength: 20 }) },
    routeKind: 'user',
  });
  registerResourceRoutes(app, r.callerIds, {
    path: '/v1/caller-ids',
    label: 'CallerId',
    tag: 'Caller ids',
    readScope: 'caller-ids:read',
    writeScope: 'caller-ids:write',
    input: CallerIdInput,
    wire: CallerId,
    idSchema: PhoneNumber,
    allowPost: false,
    filters: { verified: Type.Boolean() },
  });
  registerResourceRoutes(app, r.trunks, {
    path: '/v1/trunks',
    label: 'Trunk',
    tag: 'Trunks',
    readScope: 'admin',
    writeScope: 'admin',
    input: TrunkInput,
    wire: Trunk,
    idSchema: Id,
    allowPost: true,
  });
  registerResourceRoutes(app, r.webhooks, {
    path: '/v1/webhooks',
    label: 'Webhook',
    tag: 'Webhooks',
    readScope: 'webhooks:read',
    writeScope: 'webhooks:write',
    input: WebhookInput,
    wire: Webhook,
    idSchema: Id,
    allowPost: true,
  });
  return app;
}

/**
 * Fastify/Node server options for the limits. Fastify disables Node's request timeout (0), so a
 * client dribbling a body held its connection forever. Node enforces the header and request
 * timeouts from a periodic sweep (30 s by default); it runs at a tenth of the shorter limit
 * (25 ms–1 s) so a limit is kept within ~10 %.
 */
function serverTimeouts(limits: HttpLimits | undefined) {
  if (!limits) return {};
  const sweepMs = Math.min(
    1000,
    Math.max(25, Math.floor(Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs) / 10)),
  );
  return {
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    http: {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      connectionsCheckingInterval: sweepMs,
    },
  };
}
