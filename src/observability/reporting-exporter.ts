import type { ExportResult, ExportResultCode } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';

// ExportResultCode.SUCCESS, typed against the enum: a value import of @opentelemetry/core would
// load it at start even with tracing off (the SDK is imported only when tracing is on).
const SUCCESS: ExportResultCode.SUCCESS = 0;

// A wrong endpoint or license key fails every batch (every 5 s); one line a minute is enough.
const REPORT_EVERY_MS = 60_000;

/**
 * Wraps the OTLP exporter so a failing export (refused key, unreachable endpoint) reaches our
 * logs: the SDK would otherwise only tell its global diag logger, which is silent by default.
 */
export class ReportingExporter implements SpanExporter {
  private lastReport = 0;

  constructor(
    private readonly inner: SpanExporter,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Exports through the inner exporter, reporting a failure at most once a minute. */
  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    this.inner.export(spans, (result) => {
      if (result.code !== SUCCESS && Date.now() - this.lastReport > REPORT_EVERY_MS) {
        this.lastReport = Date.now();
        this.onError(result.error ?? new Error('span export failed'));
      }
      done(result);
    });
  }

  /** Flushes and stops the inner exporter. */
  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }

  /** Flushes the inner exporter. */
  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }
}
