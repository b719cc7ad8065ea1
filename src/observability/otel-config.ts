/** Where and how spans are exported (OTLP/HTTP JSON); absent when tracing is off. */
export interface TracingConfig {
  /** Full traces URL, e.g. `https://otlp.nr-data.net:4318/v1/traces`. */
  tracesUrl: string;
  /** Headers sent with every export (e.g. New Relic's `api-key`). */
  headers: Record<string, string>;
  serviceName: string;
  /** Extra resource attributes (`OTEL_RESOURCE_ATTRIBUTES`). */
  resourceAttributes: Record<string, string>;
}

/** The standard OpenTelemetry variables pconn honours, as read from the environment. */
export interface OtelEnvironment {
  OTEL_SDK_DISABLED?: string;
  OTEL_TRACES_EXPORTER?: string;
  OTEL_EXPORTER_OTLP_ENDPOINT?: string;
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?: string;
  OTEL_EXPORTER_OTLP_HEADERS?: string;
  OTEL_EXPORTER_OTLP_TRACES_HEADERS?: string;
  OTEL_SERVICE_NAME?: string;
  OTEL_RESOURCE_ATTRIBUTES?: string;
}

/**
 * Tracing settings per the OpenTelemetry SDK environment specification: the signal-specific
 * endpoint is used as is, the generic one gets `/v1/traces` appended; headers and resource
 * attributes are `key=value` lists, comma-separated and percent-decoded. Undefined (tracing
 * off, zero cost) when no endpoint is set, `OTEL_SDK_DISABLED=true` or `OTEL_TRACES_EXPORTER=none`.
 */
export function tracingConfig(
  env: OtelEnvironment,
  fail: (message: string) => never,
): TracingConfig | undefined {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return undefined;
  if (env.OTEL_TRACES_EXPORTER?.trim().toLowerCase() === 'none') return undefined;
  const specific = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim();
  const generic = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  let tracesUrl: string;
  if (specific) tracesUrl = specific;
  else if (generic) tracesUrl = `${generic.replace(/\/+$/, '')}/v1/traces`;
  else return undefined;
  if (!URL.canParse(tracesUrl) || !/^https?:$/.test(new URL(tracesUrl).protocol)) {
    fail(`OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT must be an http(s) URL, got '${specific || generic}'.`);
  }
  return {
    tracesUrl,
    headers: {
      ...keyValueList(env.OTEL_EXPORTER_OTLP_HEADERS, 'OTEL_EXPORTER_OTLP_HEADERS', fail),
      ...keyValueList(env.OTEL_EXPORTER_OTLP_TRACES_HEADERS, 'OTEL_EXPORTER_OTLP_TRACES_HEADERS', fail),
    },
    serviceName: env.OTEL_SERVICE_NAME?.trim() || 'pconn',
    resourceAttributes: keyValueList(env.OTEL_RESOURCE_ATTRIBUTES, 'OTEL_RESOURCE_ATTRIBUTES', fail),
  };
}

function keyValueList(
  raw: string | undefined,
  name: string,
  fail: (message: string) => never,
): Record<string, string> {
  const out: Record<string, string> = {};
  if (!raw) return out;
  for (const item of raw.split(',')) {
    if (item.trim() === '') continue;
    const at = item.indexOf('=');
    if (at <= 0)
      fail(`${name} must be a list of key=value pairs separated by commas; '${item.trim()}' is not.`);
    try {
      out[decodeURIComponent(item.slice(0, at).trim())] = decodeURIComponent(item.slice(at + 1).trim());
    } catch {
      fail(`${name} has a malformed percent-encoding in '${item.trim()}'.`);
    }
  }
  return out;
}
