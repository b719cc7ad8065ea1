import { randomUUID } from 'node:crypto';
import {
  type Attributes,
  type Context,
  defaultTextMapGetter,
  INVALID_SPAN_CONTEXT,
  ROOT_CONTEXT,
  type Span,
  type SpanKind,
  type TextMapPropagator,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import type { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import type { TracingConfig } from './otel-config.ts';
import { ReportingExporter } from './reporting-exporter.ts';

/** Headers as Node gives them, for reading an incoming `traceparent`. */
export type HeaderCarrier = Record<string, string | string[] | undefined>;

/** What an enabled tracing holds; all of it comes from the SDK, loaded only when tracing is on. */
interface TracingParts {
  tracer: Tracer;
  provider: BasicTracerProvider;
  propagator: TextMapPropagator;
}

/**
 * The node's tracer: a BasicTracerProvider of its own (no global registration and no
 * auto-instrumentation, so several nodes can run in one process) exporting over OTLP/HTTP with a
 * batch processor, flushed on shutdown. Parents are passed explicitly (no context manager):
 * the HTTP request's span, or the W3C `traceparent` stored with a call for the dialer.
 * When disabled, `enabled` is false and callers skip tracing altogether (zero cost): the SDK,
 * the exporter and their dependencies are not even loaded (~5 MB of an idle node's memory,
 * docs/performance.md "Memory"); only `@opentelemetry/api`, which the callers use, is.
 */
export class Tracing {
  private constructor(
    /** False when no OTLP endpoint is configured. */
    readonly enabled: boolean,
    private readonly parts: TracingParts | undefined,
  ) {}

  /** Tracing that records nothing. */
  static disabled(): Tracing {
    return new Tracing(false, undefined);
  }

  /** Tracing per the configuration (disabled when it is undefined); export failures go to `onExportError`. */
  static async create(
    config: TracingConfig | undefined,
    onExportError: (error: unknown) => void,
  ): Promise<Tracing> {
    if (!config) return Tracing.disabled();
    // Imported here, not at the top: a node without an OTLP endpoint never loads them (and the
    // bundle `npm start` runs keeps them out of its static imports).
    const [{ W3CTraceContextPropagator }, { OTLPTraceExporter }, { resourceFromAttributes }, sdk, semconv] =
      await Promise.all([
        import('@opentelemetry/core'),
        import('@opentelemetry/exporter-trace-otlp-http'),
        import('@opentelemetry/resources'),
        import('@opentelemetry/sdk-trace-base'),
        import('@opentelemetry/semantic-conventions'),
      ]);
    const exporter = new OTLPTraceExporter({ url: config.tracesUrl, headers: config.headers });
    const provider = new sdk.BasicTracerProvider({
      resource: resourceFromAttributes({
        ...config.resourceAttributes,
        [semconv.ATTR_SERVICE_NAME]: config.serviceName,
        'service.instance.id': randomUUID(),
      }),
      spanProcessors: [new sdk.BatchSpanProcessor(new ReportingExporter(exporter, onExportError))],
    });
    return new Tracing(true, {
      tracer: provider.getTracer('pconn'),
      provider,
      propagator: new W3CTraceContextPropagator(),
    });
  }

  /** Starts a span; its parent is `parent` (a span), a context, or none (a new trace). */
  start(name: string, kind: SpanKind, attributes: Attributes, parent?: Span | Context): Span {
    const tracer = this.parts?.tracer;
    if (!tracer) return trace.wrapSpanContext(INVALID_SPAN_CONTEXT);
    const context =
      parent === undefined ? ROOT_CONTEXT : isSpan(parent) ? trace.setSpan(ROOT_CONTEXT, parent) : parent;
    return tracer.startSpan(name, { kind, attributes }, context);
  }

  /** The parent context named by incoming headers (`traceparent`, `tracestate`), or a fresh root. */
  contextFromHeaders(headers: HeaderCarrier): Context {
    return this.parts?.propagator.extract(ROOT_CONTEXT, headers, defaultTextMapGetter) ?? ROOT_CONTEXT;
  }

  /** The parent context of a stored W3C traceparent (null/invalid: a fresh root). */
  contextFromTraceparent(traceparent: string | null | undefined): Context {
    if (!traceparent || !this.parts) return ROOT_CONTEXT;
    return this.parts.propagator.extract(ROOT_CONTEXT, { traceparent }, defaultTextMapGetter);
  }

  /** Sends what is buffered and stops exporting. */
  async shutdown(): Promise<void> {
    await this.parts?.provider.shutdown();
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
