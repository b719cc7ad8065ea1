import { randomUUID } from 'node:crypto';
import {
  type Attributes,
  type Context,
  defaultTextMapGetter,
  INVALID_SPAN_CONTEXT,
  ROOT_CONTEXT,
  type Span,
  type SpanKind,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import type { TracingConfig } from './otel-config.ts';
import { ReportingExporter } from './reporting-exporter.ts';

const propagator = new W3CTraceContextPropagator();

/** Headers as Node gives them, for reading an incoming `traceparent`. */
export type HeaderCarrier = Record<string, string | string[] | undefined>;

/**
 * The node's tracer: a BasicTracerProvider of its own (no global registration and no
 * auto-instrumentation, so several nodes can run in one process) exporting over OTLP/HTTP with a
 * batch processor, flushed on shutdown. Parents are passed explicitly (no context manager):
 * the HTTP request's span, or the W3C `traceparent` stored with a call for the dialer.
 * When disabled, `enabled` is false and callers skip tracing altogether (zero cost).
 */
export class Tracing {
  private constructor(
    /** False when no OTLP endpoint is configured. */
    readonly enabled: boolean,
    private readonly tracer: Tracer | undefined,
    private readonly provider: BasicTracerProvider | undefined,
  ) {}

  /** Tracing that records nothing. */
  static disabled(): Tracing {
    return new Tracing(false, undefined, undefined);
  }

  /** Tracing per the configuration (disabled when it is undefined); export failures go to `onExportError`. */
  static create(config: TracingConfig | undefined, onExportError: (error: unknown) => void): Tracing {
    if (!config) return Tracing.disabled();
    const exporter = new OTLPTraceExporter({ url: config.tracesUrl, headers: config.headers });
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({
        ...config.resourceAttributes,
        [ATTR_SERVICE_NAME]: config.serviceName,
        'service.instance.id': randomUUID(),
      }),
      spanProcessors: [new BatchSpanProcessor(new ReportingExporter(exporter, onExportError))],
    });
    return new Tracing(true, provider.getTracer('pconn'), provider);
  }

  /** Starts a span; its parent is `parent` (a span), a context, or none (a new trace). */
  start(name: string, kind: SpanKind, attributes: Attributes, parent?: Span | Context): Span {
    const tracer = this.tracer;
    if (!tracer) return trace.wrapSpanContext(INVALID_SPAN_CONTEXT);
    const context =
      parent === undefined ? ROOT_CONTEXT : isSpan(parent) ? trace.setSpan(ROOT_CONTEXT, parent) : parent;
    return tracer.startSpan(name, { kind, attributes }, context);
  }

  /** The parent context named by incoming headers (`traceparent`, `tracestate`), or a fresh root. */
  contextFromHeaders(headers: HeaderCarrier): Context {
    return propagator.extract(ROOT_CONTEXT, headers, defaultTextMapGetter);
  }

  /** The parent context of a stored W3C traceparent (null/invalid: a fresh root). */
  contextFromTraceparent(traceparent: string | null | undefined): Context {
    if (!traceparent) return ROOT_CONTEXT;
    return propagator.extract(ROOT_CONTEXT, { traceparent }, defaultTextMapGetter);
  }

  /** Sends what is buffered and stops exporting. */
  async shutdown(): Promise<void> {
    await this.provider?.shutdown();
  }
}

/** The W3C traceparent of a span (version 00), to store with what it creates. */
export function traceparentOf(span: Span): string {
  const context = span.spanContext();
  return `00-${context.traceId}-${context.spanId}-0${(context.traceFlags & 1).toString(16)}`;
}

function isSpan(value: Span | Context): value is Span {
  return typeof (value as Span).spanContext === 'function';
}
