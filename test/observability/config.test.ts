import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config.ts';

describe('observability configuration', () => {
  test('tracing is off (undefined) without an endpoint, and /metrics is public by default', () => {
    const config = loadConfig({});
    assert.equal(config.tracing, undefined);
    assert.deepEqual(config.metrics, { access: 'public', token: undefined });
  });

  test('the generic endpoint gets /v1/traces; the traces endpoint is used as is and wins', () => {
    assert.equal(
      loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'https://otlp.nr-data.net:4318/' }).tracing?.tracesUrl,
      'https://otlp.nr-data.net:4318/v1/traces',
    );
    assert.equal(
      loadConfig({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'https://otlp.nr-data.net:4318',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/custom/traces',
      }).tracing?.tracesUrl,
      'http://collector:4318/custom/traces',
    );
  });

  test('headers and resource attributes are percent-decoded key=value lists; the service name defaults to pconn', () => {
    const tracing = loadConfig({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318',
      OTEL_EXPORTER_OTLP_HEADERS: 'api-key=abc%3D%3D, x-team = calls ',
      OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'x-team=traces',
      OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=prod,service.name=ignored',
    }).tracing;
    assert.deepEqual(tracing?.headers, { 'api-key': 'abc==', 'x-team': 'traces' });
    assert.equal(tracing?.serviceName, 'pconn');
    assert.equal(tracing?.resourceAttributes['deployment.environment'], 'prod');
  });

  test('OTEL_SDK_DISABLED and OTEL_TRACES_EXPORTER=none turn tracing off', () => {
    const endpoint = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' };
    assert.equal(loadConfig({ ...endpoint, OTEL_SDK_DISABLED: 'true' }).tracing, undefined);
    assert.equal(loadConfig({ ...endpoint, OTEL_TRACES_EXPORTER: 'none' }).tracing, undefined);
  });

  test('bad values are configuration errors naming the variable', () => {
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'otlp.nr-data.net:4318' }, /OTEL_EXPORTER_OTLP_\(TRACES_\)ENDPOINT/],
      [
        { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://x', OTEL_EXPORTER_OTLP_HEADERS: 'api-key' },
        /OTEL_EXPORTER_OTLP_HEADERS/,
      ],
      [{ PCONN_METRICS: 'private' }, /PCONN_METRICS must be/],
      [{ PCONN_METRICS: 'token', PCONN_METRICS_TOKEN: 'short' }, /PCONN_METRICS_TOKEN/],
    ];
    for (const [env, message] of cases)
      assert.throws(
        () => loadConfig(env),
        (e: unknown) => e instanceof ConfigError && message.test(e.message),
      );
  });
});
