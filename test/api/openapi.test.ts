import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { Validator } from '@seriousme/openapi-schema-validator';
import { PROBLEM_TYPES } from '../../src/api/problem-types.ts';
import { ERROR_CODES, type ErrorCode } from '../../src/domain/error-codes.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';

type Json = Record<string, unknown>;
type Operation = {
  operationId?: string;
  security?: Array<Record<string, string[]>>;
  responses?: Record<string, { content?: Record<string, { schema?: Json }> }>;
};
type OpenApiDoc = {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: {
    schemas?: Record<string, Json>;
    securitySchemes?: {
      oauth2?: { flows?: { clientCredentials?: { scopes?: Record<string, string> } } };
    };
  };
};

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'];
const PROBLEM_REF = '#/components/schemas/Problem';
/** The repo's own copy of the contract, so the suite runs in any clone (no ../shared beside it). */
const CONTRACT = new URL('../../docs/api-contract.md', import.meta.url);

/**
 * Error responses that are deliberately not problem+json: the token endpoint answers in the
 * RFC 6749 §5.2 shape the contract prescribes ("Auth"), because OAuth client libraries parse it.
 */
const OAUTH_SHAPED: ReadonlySet<string> = new Set(['POST /oauth/token 400', 'POST /oauth/token 401']);

let server: TestServer;
let doc: OpenApiDoc;
before(async () => {
  server = await startTestServer();
  const res = await server.request<OpenApiDoc>('GET', '/openapi.json', { token: null });
  assert.equal(res.status, 200, res.text);
  doc = res.body;
});
after(() => server.close());

/** Fastify's `/v1/calls/:id` → OpenAPI's `/v1/calls/{id}`. */
function openApiPath(url: string): string {
  return url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

function operations(): Array<{ key: string; path: string; method: string; op: Operation }> {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => HTTP_METHODS.includes(method))
      .map(([method, op]) => ({ key: `${method.toUpperCase()} ${path}`, path, method, op })),
  );
}

/**
 * The status → codes rows of the contract's "Errors" table, e.g. `| 401 | \`missing_token\` /
 * \`invalid_token\` |` → 401 for both, `| 500 / 503 | \`internal\` / \`unavailable\` |` pairwise.
 */
function contractStatuses(): Map<string, number> {
  const markdown = readFileSync(CONTRACT, 'utf8');
  const section = markdown.slice(markdown.indexOf('## Errors'));
  const result = new Map<string, number>();
  for (const line of section.split('\n')) {
    const cells = line.split('|').map((cell) => cell.trim());
    if (cells.length < 4 || !/^\d{3}( \/ \d{3})*$/.test(cells[1] ?? '')) continue;
    const statuses = (cells[1] ?? '').split('/').map((s) => Number(s.trim()));
    const codes = [...(cells[2] ?? '').matchAll(/`([a-z_]+)`/g)].map((m) => m[1] ?? '');
    assert.ok(codes.length > 0, `no code in contract row: ${line}`);
    assert.ok(
      statuses.length === 1 || statuses.length === codes.length,
      `contract row pairs ${statuses.length} statuses with ${codes.length} codes: ${line}`,
    );
    codes.forEach((code, i) => {
      result.set(code, statuses.length === 1 ? (statuses[0] ?? 0) : (statuses[i] ?? 0));
    });
  }
  return result;
}

describe('the OpenAPI document', () => {
  test('is a valid OpenAPI 3.1 document', async () => {
    assert.match(doc.openapi, /^3\.1\.\d+$/);
    const validator = new Validator();
    const result = await validator.validate(doc as unknown as Json);
    if (!result.valid) console.error(JSON.stringify(result.errors, null, 2));
    assert.equal(
      result.valid,
      true,
      'openapi-schema-validator rejected /openapi.json (errors printed above)',
    );
  });

  test('documents every registered route with its method', () => {
    const documented = new Set(operations().map((o) => o.key));
    const missing = server.pconn.app.pconnRoutes
      .map((route) => `${route.method} ${openApiPath(route.url)}`)
      .filter((key) => !documented.has(key));
    assert.deepEqual(missing, [], `routes missing from /openapi.json:\n${missing.join('\n')}`);
  });

  test('every route declares its scope as OAuth 2.0 security, and the scope exists', () => {
    const declared = doc.components.securitySchemes?.oauth2?.flows?.clientCredentials?.scopes ?? {};
    const offenders: string[] = [];
    for (const route of server.pconn.app.pconnRoutes) {
      const key = `${route.method} ${openApiPath(route.url)}`;
      const op = doc.paths[openApiPath(route.url)]?.[route.method.toLowerCase()];
      if (!op) continue; // reported by the previous test
      const expected = route.scope === null ? [] : [{ oauth2: [route.scope] }];
      if (JSON.stringify(op.security) !== JSON.stringify(expected))
        offenders.push(`${key}: security ${JSON.stringify(op.security)}, want ${JSON.stringify(expected)}`);
      if (route.scope !== null && !(route.scope in declared))
        offenders.push(`${key}: scope ${route.scope} not in securitySchemes.oauth2 clientCredentials scopes`);
    }
    assert.deepEqual(offenders, [], offenders.join('\n'));
  });

  test('every 4xx/5xx response is application/problem+json referencing Problem', () => {
    const problem = doc.components.schemas?.Problem as { required?: string[] } | undefined;
    assert.ok(problem, 'components.schemas.Problem is missing');
    for (const member of ['type', 'title', 'status', 'code', 'detail', 'requestId'])
      assert.ok(problem.required?.includes(member), `Problem does not require ${member}`);
    const offenders: string[] = [];
    for (const { key, op } of operations()) {
      for (const [status, response] of Object.entries(op.responses ?? {})) {
        if (!/^[45]/.test(status)) continue;
        const content = response.content ?? {};
        if (OAUTH_SHAPED.has(`${key} ${status}`)) {
          const schema = content['application/json']?.schema as { required?: string[] } | undefined;
          if (!schema?.required?.includes('error')) offenders.push(`${key} ${status}: not an RFC 6749 error`);
          continue;
        }
        const ref = content['application/problem+json']?.schema?.$ref;
        if (ref !== PROBLEM_REF) offenders.push(`${key} ${status}: ${JSON.stringify(content)}`);
        const others = Object.keys(content).filter((type) => type !== 'application/problem+json');
        if (others.length > 0) offenders.push(`${key} ${status}: also documented as ${others.join(', ')}`);
      }
    }
    assert.deepEqual(offenders, [], offenders.join('\n'));
  });

  test('operationIds are present and unique', () => {
    const seen = new Map<string, string>();
    const offenders: string[] = [];
    for (const { key, op } of operations()) {
      if (!op.operationId) offenders.push(`${key}: no operationId`);
      else if (seen.has(op.operationId))
        offenders.push(`${op.operationId}: ${seen.get(op.operationId)} and ${key}`);
      else seen.set(op.operationId, key);
    }
    assert.deepEqual(offenders, [], offenders.join('\n'));
  });
});

describe('documentation pages', () => {
  test('/docs serves the API reference as HTML', async () => {
    const res = await fetch(`${server.url}/docs`, { redirect: 'follow' });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
    assert.match(await res.text(), /<html/i);
  });

  test("/docs's script, its document and a HEAD load; an unknown file under /docs is a 404 problem", async () => {
    const script = await fetch(`${server.url}/docs/static/swagger-ui-bundle.js`);
    assert.equal(script.status, 200, 'swagger-ui-bundle.js');
    assert.match(script.headers.get('content-type') ?? '', /javascript/);
    assert.ok((await script.arrayBuffer()).byteLength > 100_000, 'the whole bundle is sent');
    const document = await fetch(`${server.url}/docs/json`);
    assert.equal(document.status, 200, '/docs/json');
    assert.deepEqual(
      await document.json(),
      (await server.request('GET', '/openapi.json', { token: null })).body,
    );
    const head = await fetch(`${server.url}/docs`, { method: 'HEAD' });
    assert.equal(head.status, 200, 'HEAD /docs');
    assert.ok(Number(head.headers.get('content-length')) > 0, 'HEAD /docs tells the length of the page');
    const missing = await server.request('GET', '/docs/static/nope.js', { token: null });
    assert.equal(missing.status, 404, missing.text);
    assert.equal(missing.body.code, 'not_found');
  });

  test('every problem code has a page at /problems/<code> showing its title', async () => {
    const offenders: string[] = [];
    for (const code of ERROR_CODES) {
      const res = await server.request('GET', `/problems/${code}`, { token: null });
      const title = PROBLEM_TYPES[code].title;
      const escaped = title.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
      if (res.status !== 200) offenders.push(`${code}: status ${res.status}`);
      else if (!(res.headers.get('content-type') ?? '').startsWith('text/html'))
        offenders.push(`${code}: content-type ${res.headers.get('content-type')}`);
      else if (!res.text.includes(escaped)) offenders.push(`${code}: page lacks title '${title}'`);
    }
    assert.deepEqual(offenders, [], offenders.join('\n'));
  });

  test('the problem table matches the status of every code in the contract table', () => {
    const contract = contractStatuses();
    assert.ok(contract.size >= 20, `parsed only ${contract.size} codes from api-contract.md`);
    const offenders: string[] = [];
    for (const [code, status] of contract) {
      if (!(ERROR_CODES as readonly string[]).includes(code)) {
        offenders.push(`${code}: in the contract, not in ERROR_CODES`);
        continue;
      }
      const type = PROBLEM_TYPES[code as ErrorCode];
      if (type.status !== status) offenders.push(`${code}: contract ${status}, PROBLEM_TYPES ${type.status}`);
    }
    assert.deepEqual(offenders, [], offenders.join('\n'));
  });

  test('every problem code pconn answers with is in the contract table', () => {
    const contract = contractStatuses();
    const absent = ERROR_CODES.filter((code) => !contract.has(code));
    assert.deepEqual(absent, [], `codes missing from docs/api-contract.md "Errors": ${absent.join(', ')}`);
  });
});
