import { type Span, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { PconnMetrics } from '../../observability/metrics.ts';
import { type Tracing, traceparentOf } from '../../observability/tracing.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** W3C traceparent of this request's `call.create` span; stored with the call it creates. */
    traceContext?: string;
    /** The request's server span (tracing on only). */
    otelSpan?: Span | null;
    /** The `call.create` child span of call-creating requests (tracing on only). */
    otelCreateSpan?: Span | null;
  }
}

const UNMATCHED = '(unmatched)';
const CALL_ROUTES = new Set(['campaign_call', 'direct_call']);
// Authentication and rate limiting are not about the call, and would flood the log under attack.
const UNLOGGED_CODES = new Set(['missing_token', 'invalid_token', 'insufficient_scope', 'rate_limited']);

/**
 * Metrics for every request (route template, never the raw URL), a structured log line for
 * every refused call request (its code and, when known, the campaign's status), and — only
 * when tracing is on — a server span per request (honouring an incoming `traceparent`) with a
 * `call.create` child whose traceparent is stored with the call so the dialer continues the trace.
 */
export function registerObservability(
  app: FastifyInstance,
  deps: { metrics: PconnMetrics; tracing: Tracing },
): void {
  const { metrics, tracing } = deps;
  // Callback style (not async): the cheapest hook shape Fastify runs.
  app.addHook('onResponse', (request, reply, done) => {
    metrics.http.record(
      request.routeOptions.url ?? UNMATCHED,
      request.method,
      reply.statusCode,
      reply.elapsedTime / 1000,
    );
    done();
  });

  // Refusals are rendered inside handlers too (idempotent answers are stored before they are
  // sent), so they never reach an onError hook; onSend sees every problem response.
  app.addHook('onSend', (request, _reply, payload, done) => {
    const code = request.problemCode;
    if (
      code !== undefined &&
      !UNLOGGED_CODES.has(code) &&
      CALL_ROUTES.has(request.routeOptions.config.routeKind ?? '')
    )
      recordRefusal(request, code, payload);
    done(null, payload);
  });

  if (!tracing.enabled) return;
  app.decorateRequest('otelSpan', null);
  app.decorateRequest('otelCreateSpan', null);
  app.decorateRequest('traceContext', undefined);

  app.addHook('onRequest', (request, _reply, done) => {
    const route = request.routeOptions.url ?? UNMATCHED;
    request.otelSpan = tracing.start(
      `${request.method} ${route}`,
      SpanKind.SERVER,
      { 'http.request.method': request.method, 'http.route': route, 'pconn.request.id': request.id },
      tracing.contextFromHeaders(request.headers),
    );
    done();
  });

  app.addHook('preHandler', (request, _reply, done) => {
    const server = request.otelSpan;
    const query = request.query as { dryRun?: boolean } | undefined;
    if (server && CALL_ROUTES.has(request.routeOptions.config.routeKind ?? '') && !query?.dryRun) {
      const campaignId = campaignIdOf(request);
      const span = tracing.start(
        'call.create',
        SpanKind.INTERNAL,
        campaignId ? { 'pconn.campaign.id': campaignId } : {},
        server,
      );
      request.otelCreateSpan = span;
      request.traceContext = traceparentOf(span);
    }
    done();
  });

  app.addHook('onResponse', (request, reply, done) => {
    const span = request.otelSpan;
    if (!span) return done();
    const status = reply.statusCode;
    const tenant = request.principal?.tenantId;
    const campaignId = campaignIdOf(request);
    span.setAttribute('http.response.status_code', status);
    if (tenant) span.setAttribute('pconn.tenant.id', tenant);
    if (campaignId) span.setAttribute('pconn.campaign.id', campaignId);
    if (status >= 400 && request.problemCode) span.setAttribute('pconn.error.code', request.problemCode);
    // Semantic conventions: a server span is an error for 5xx only (4xx is the client's).
    if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR, message: request.problemCode });
    const create = request.otelCreateSpan;
    if (create) {
      const location = reply.getHeader('location');
      if (status === 202 && typeof location === 'string')
        create.setAttribute('pconn.call.id', location.slice(location.lastIndexOf('/') + 1));
      if (tenant) create.setAttribute('pconn.tenant.id', tenant);
      create.end();
    }
    span.end();
    done();
  });
}

// Campaign routes name it `campaignId` (calls) or `id` (/v1/campaigns/:id/…).
function campaignIdOf(request: FastifyRequest): string | undefined {
  const params = request.params as { campaignId?: string; id?: string } | undefined;
  if (params?.campaignId) return params.campaignId;
  return request.routeOptions.url?.startsWith('/v1/campaigns/:id') ? params?.id : undefined;
}

/** Logs a refused call request and marks its spans with the code and the campaign's status. */
function recordRefusal(request: FastifyRequest, code: string, payload: unknown): void {
  // Only campaign_not_dialable carries the status; reading it from the rendered problem keeps
  // the problem path the single place errors become bodies.
  const campaignStatus =
    code === 'campaign_not_dialable' && typeof payload === 'string' ? campaignStatusIn(payload) : null;
  request.log.info(
    {
      event: 'call.rejected',
      requestId: request.id,
      code,
      tenant: request.principal?.tenantId,
      campaignId: campaignIdOf(request),
      campaignStatus,
    },
    'call request rejected',
  );
  const attributes = {
    'pconn.error.code': code,
    ...(campaignStatus ? { 'pconn.campaign.status': campaignStatus } : {}),
  };
  request.otelSpan?.setAttributes(attributes);
  const span = request.otelCreateSpan;
  if (span) {
    span.addEvent('pconn.call.rejected', attributes);
    span.setAttributes(attributes);
    span.setStatus({ code: SpanStatusCode.ERROR, message: code });
  }
}

function campaignStatusIn(problem: string): string | null {
  try {
    return stringOrNull((JSON.parse(problem) as { campaignStatus?: unknown }).campaignStatus);
  } catch {
    return null;
  }
}

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}
