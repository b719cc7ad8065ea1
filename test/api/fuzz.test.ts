import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import type { RouteEntry } from '../../src/api/build-app.ts';
import { PROBLEM_TYPES } from '../../src/api/problem-types.ts';
import { ERROR_CODES, type ErrorCode, FIELD_ERROR_CODES } from '../../src/domain/error-codes.ts';
import { type ApiResponse, startTestServer, type TestServer } from '../support/test-server.ts';

/*
 * Property tests of the contract's "General" and "Errors" promises against a live server: for
 * every write route, arbitrary JSON, mutated valid bodies and byte garbage never cause a 5xx,
 * and every 4xx is a well-formed problem whose pointers point into the body that was sent.
 */

const RUNS = 150;
/** Per request; a normal answer takes a few ms, the slowest fuzzed ones (1 MiB bodies) ~100 ms. */
const LATENCY_MS = 5_000;
const SEED = Number(process.env.PCONN_FUZZ_SEED ?? Date.now() % 2 ** 31);

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Problem = {
  type?: unknown;
  code?: unknown;
  status?: unknown;
  requestId?: unknown;
  pointer?: unknown;
  errors?: Array<{ pointer?: unknown; code?: unknown }>;
};

/** A write route with concrete path parameters and a body the schema accepts. */
interface Target {
  key: string;
  method: string;
  path: string;
  valid: Json;
}

const CALL_USER = 'fuzz-user';
const CALL_CONTACT = 'fuzz-contact';
const CALL_CAMPAIGN = 'fuzz-calls';

const campaignBody: Json = {
  name: 'Fuzz campaign',
  dialingMode: 'progressive',
  allowApiCalls: true,
  callerId: null,
  callingWindow: { start: '08:00', end: '21:00' },
  timezone: 'America/New_York',
  retryPolicy: { busy: { retry: true, gapSeconds: 600 }, minRedialGapSeconds: 60 },
  maxAttemptsPerContact: 3,
  schedule: { startAt: null, endAt: '2099-01-01T00:00:00Z' },
  agentIds: [CALL_USER],
  metadata: { team: 'fuzz', tags: ['a', 'b'] },
};
const contactBody: Json = {
  externalId: 'fuzz-ext',
  name: 'Ada',
  phoneNumbers: [
    { phoneType: 'mobile', number: '+14155550123' },
    { phoneType: 'work', number: '+442079460958' },
  ],
  timezone: 'America/Chicago',
  attributes: { tier: 'gold', nested: { n: 1 } },
  consent: { status: 'granted', source: 'web form', at: '2026-01-01T00:00:00Z' },
};
const userBody: Json = {
  name: 'Agent',
  status: 'active',
  device: { type: 'sip', uri: 'sip:agent@example.com' },
  email: 'agent@example.com',
};
const trunkBody: Json = {
  uri: 'sip:trunk.example.com;transport=tcp',
  username: 'user',
  password: 'secret-password',
  maxConcurrent: 10,
  cps: 2.5,
  offerInInitialInvite: false,
};
const webhookBody: Json = {
  url: 'https://hooks.example.com/pconn',
  events: ['call.*', 'campaign.status_changed'],
  description: 'fuzz',
  enabled: true,
};

/** Valid bodies by `METHOD url` (Fastify form); a write route missing here fails the coverage test. */
const VALID_BODIES: Record<string, Json> = {
  'POST /v1/tenants': { name: 'Fuzz tenant', defaultRegion: 'GB', phoneTypes: ['mobile', 'home'] },
  'POST /v1/tenants/:id/clients': { name: 'fuzz client', scopes: ['calls:read', 'calls:write'] },
  'POST /v1/clients': { name: 'fuzz client', scopes: ['campaigns:read'] },
  'POST /v1/clients/:id/revoke': {},
  'POST /v1/users/:id/password': { password: 'fuzz-password-1234' },
  'PUT /v1/settings/phone-types': { phoneTypes: ['mobile', 'home', 'work', 'other'] },
  'POST /v1/campaigns/:id/start': {},
  'POST /v1/campaigns/:id/pause': {},
  'POST /v1/campaigns/:id/resume': {},
  'POST /v1/campaigns/:id/stop': {},
  'POST /v1/campaigns/:id/contacts': { contactIds: [CALL_CONTACT, 'fuzz-target'] },
  'POST /v1/campaigns/:campaignId/calls': {
    contactId: CALL_CONTACT,
    phoneType: 'mobile',
    userId: CALL_USER,
    reason: 'follow-up',
    metadata: { order: 42, items: [{ sku: 'x' }] },
    notBefore: '2026-06-01T12:00:00Z',
    outsideWindow: 'schedule',
  },
  'POST /v1/calls': {
    userId: CALL_USER,
    to: '+14155550123',
    reason: 'direct',
    metadata: { k: 'v' },
    outsideWindow: 'schedule',
  },
  'POST /v1/calls/:id/cancel': {},
  'POST /v1/webhooks/:id/deliveries/:deliveryId/redeliver': {},
  'PUT /v1/dnc/:number': { reason: 'asked not to be called' },
  'POST /v1/contacts/import': {},
  'POST /v1/campaigns/:id/contacts/import': {},
  'POST /v1/dnc/import': {},
  // The body is a WAV file: mutated JSON must get 415, never a 500.
  'PUT /v1/prompts/:id': {},
  'PUT /v1/campaigns/:id': campaignBody,
  'POST /v1/campaigns': campaignBody,
  'PATCH /v1/campaigns/:id': campaignBody,
  'PUT /v1/contacts/:id': contactBody,
  'POST /v1/contacts': contactBody,
  'PATCH /v1/contacts/:id': contactBody,
  'PUT /v1/users/:id': userBody,
  'POST /v1/users': userBody,
  'PATCH /v1/users/:id': userBody,
  'PUT /v1/users/:id/session': { campaignIds: ['fuzz-target'] },
  'POST /v1/agent-sessions/:id/pause': { reason: 'lunch' },
  'POST /v1/agent-sessions/:id/resume': {},
  'POST /v1/agent-sessions/:id/offer/accept': {},
  'POST /v1/agent-sessions/:id/offer/skip': { reason: 'not now' },
  'POST /v1/calls/:id/disposition': { code: 'sale', notes: 'two seats' },
  'PUT /v1/caller-ids/:id': { verified: true, label: 'Main line' },
  'PATCH /v1/caller-ids/:id': { verified: false, label: 'Main line' },
  'PUT /v1/trunks/:id': trunkBody,
  'POST /v1/trunks': trunkBody,
  'PATCH /v1/trunks/:id': trunkBody,
  'PUT /v1/webhooks/:id': webhookBody,
  'POST /v1/webhooks': webhookBody,
  'PATCH /v1/webhooks/:id': webhookBody,
};

let server: TestServer;
let targets: Target[] = [];
let revocableClient = 'none';
let cancellableCall = 'none';

before(async () => {
  server = await startTestServer({
    env: { PCONN_RATE_LIMIT_RPS: '100000', PCONN_RATE_LIMIT_BURST: '100000', PCONN_DIALER: 'off' },
  });
  const setup = async (method: string, path: string, body: Json) => {
    const res = await server.request<{ id?: string; clientId?: string }>(method, path, { body });
    assert.ok(res.status < 300, `setup ${method} ${path}: ${res.status} ${res.text}`);
    return res.body;
  };
  await setup('PUT', `/v1/users/${CALL_USER}`, userBody);
  await setup('PUT', `/v1/contacts/${CALL_CONTACT}`, { ...(contactBody as object), externalId: 'call-ext' });
  await setup('PUT', `/v1/campaigns/${CALL_CAMPAIGN}`, { name: 'Calls', agentIds: [CALL_USER] });
  await setup('POST', `/v1/campaigns/${CALL_CAMPAIGN}/contacts`, { contactIds: [CALL_CONTACT] });
  await setup('POST', `/v1/campaigns/${CALL_CAMPAIGN}/start`, {});
  for (const collection of ['campaigns', 'contacts', 'users', 'trunks', 'webhooks']) {
    const body = VALID_BODIES[`PUT /v1/${collection}/:id`] as Json;
    await setup('PUT', `/v1/${collection}/fuzz-target`, body);
  }
  await setup('PUT', '/v1/caller-ids/+14155550100', { verified: true });
  await setup('PUT', '/v1/campaigns/fuzz-actions', { name: 'Actions' });
  revocableClient =
    (await setup('POST', '/v1/clients', { name: 'revocable', scopes: ['calls:read'] })).clientId ?? 'none';
  cancellableCall =
    (await setup('POST', `/v1/campaigns/${CALL_CAMPAIGN}/calls`, { contactId: CALL_CONTACT })).id ?? 'none';
  targets = writeRoutes(server.pconn.app.pconnRoutes).flatMap((route) => {
    const valid = VALID_BODIES[`${route.method} ${route.url}`];
    return valid === undefined
      ? []
      : [{ ...route, key: `${route.method} ${route.url}`, path: fillPath(route.url), valid }];
  });
});
after(() => server?.close());

function writeRoutes(routes: readonly RouteEntry[]): RouteEntry[] {
  return routes.filter((route) => ['PUT', 'POST', 'PATCH'].includes(route.method) && route.scope !== null);
}

/** Valid ids for path parameters: fixtures that exist, so requests get past the 404 stage. */
function fillPath(url: string): string {
  return url.replace(/:([A-Za-z]+)/g, (_match, name: string) => {
    if (name === 'campaignId') return CALL_CAMPAIGN;
    if (name === 'number') return encodeURIComponent('+14155550199');
    if (name === 'deliveryId') return 'dlv_1';
    if (url.startsWith('/v1/tenants/')) return 'default';
    if (url.startsWith('/v1/clients/')) return revocableClient;
    if (url.startsWith('/v1/calls/')) return cancellableCall;
    if (url.startsWith('/v1/caller-ids/')) return encodeURIComponent('+14155550100');
    if (/^\/v1\/campaigns\/:id\/(start|pause|resume|stop)$/.test(url)) return 'fuzz-actions';
    if (url.startsWith('/v1/campaigns/:id/')) return CALL_CAMPAIGN;
    return 'fuzz-target';
  });
}

// ---------------------------------------------------------------------------------------------
// Checking one response

const POINTER = /^(\/([^/~]|~[01])*)*$/;

function unescapeToken(token: string): string {
  return token.replace(/~1/g, '/').replace(/~0/g, '~');
}

/** Why `pointer` does not resolve into `body` (or into a missing member of an existing parent). */
function pointerProblem(pointer: unknown, body: unknown): string | undefined {
  if (typeof pointer !== 'string') return `pointer ${JSON.stringify(pointer)} is not a string`;
  if (!POINTER.test(pointer)) return `pointer ${JSON.stringify(pointer)} is not RFC 6901`;
  if (pointer === '') return undefined;
  const tokens = pointer.slice(1).split('/').map(unescapeToken);
  let node: unknown = body;
  for (const [index, token] of tokens.entries()) {
    const last = index === tokens.length - 1;
    if (Array.isArray(node)) {
      const item = /^(0|[1-9][0-9]*)$/.test(token) ? Number(token) : Number.NaN;
      if (item < node.length) node = node[item];
      else if (last) return undefined;
      else return `pointer ${pointer}: no item ${token}`;
    } else if (node !== null && typeof node === 'object') {
      if (Object.hasOwn(node, token)) node = (node as Record<string, unknown>)[token];
      else if (last) return undefined;
      else return `pointer ${pointer}: no member ${JSON.stringify(token)}`;
    } else {
      return `pointer ${pointer}: ${JSON.stringify(token)} is below a ${node === null ? 'null' : typeof node}`;
    }
  }
  return undefined;
}

const PARSE_FAILED = Symbol('unparseable');

/** The body as the server's JSON parser saw it (PARSE_FAILED when it is not JSON). */
function parsed(text: string): unknown {
  try {
    return text.trim() === '' ? undefined : JSON.parse(text);
  } catch {
    return PARSE_FAILED;
  }
}

/** Every contract promise a response to a fuzzed write must keep; returns what is broken. */
function responseProblems(res: ApiResponse, sent: string): string[] {
  const broken: string[] = [];
  const requestId = res.headers.get('x-request-id');
  if (!requestId) broken.push('no x-request-id header');
  if (res.status >= 500) broken.push(`status ${res.status}`);
  if (res.status < 400 || res.status >= 500) return broken;
  if (!(res.headers.get('content-type') ?? '').startsWith('application/problem+json'))
    broken.push(`content-type ${res.headers.get('content-type')}`);
  const problem = (typeof res.body === 'object' && res.body !== null ? res.body : {}) as Problem;
  if (!(ERROR_CODES as readonly unknown[]).includes(problem.code)) {
    broken.push(`code ${JSON.stringify(problem.code)} is not a contract code`);
  } else if (PROBLEM_TYPES[problem.code as ErrorCode].status !== res.status) {
    broken.push(`code ${problem.code} answered with ${res.status}`);
  }
  if (typeof problem.type !== 'string' || !problem.type.endsWith(`/problems/${String(problem.code)}`))
    broken.push(`type ${JSON.stringify(problem.type)} is not the problem page of ${problem.code}`);
  if (problem.status !== res.status) broken.push(`body status ${problem.status} ≠ ${res.status}`);
  if (problem.requestId !== requestId) broken.push(`requestId ${problem.requestId} ≠ header ${requestId}`);
  const body = parsed(sent);
  const pointers = [
    ...(problem.pointer === undefined ? [] : [problem.pointer]),
    ...(problem.errors ?? []).map((error) => error.pointer),
  ];
  for (const error of problem.errors ?? []) {
    // A field error code, or — a problem about one member — the problem's own code.
    if (!(FIELD_ERROR_CODES as readonly unknown[]).includes(error.code) && error.code !== problem.code)
      broken.push(
        `errors[].code ${JSON.stringify(error.code)} is neither a field error code nor the problem's`,
      );
  }
  for (const pointer of pointers) {
    const why =
      body === PARSE_FAILED
        ? pointer === ''
          ? undefined
          : `pointer ${JSON.stringify(pointer)} into a body that is not JSON`
        : pointerProblem(pointer, body);
    if (why) broken.push(why);
  }
  return broken;
}

function preview(text: string): string {
  const shown = text.length > 400 ? `${text.slice(0, 400)}… (${text.length} chars)` : text;
  return JSON.stringify(shown);
}

/** Status/code tallies per property, printed so a run shows how deep the inputs got. */
const tally = new Map<string, number>();
/** Request ids answered during the current property, with what was sent, for the audit check. */
const answered = new Map<string, string>();

/** Sends `body` as JSON; a response slower than LATENCY_MS fails (a hint computed too eagerly, say). */
async function post(target: Target, body: string | Buffer): Promise<ApiResponse> {
  const started = Date.now();
  let response: Response;
  try {
    response = await fetch(`${server.url}${target.path}`, {
      method: target.method,
      headers: { authorization: `Bearer ${await server.adminToken()}`, 'content-type': 'application/json' },
      body,
      signal: AbortSignal.timeout(LATENCY_MS),
    });
  } catch (error) {
    const sent = typeof body === 'string' ? body : body.toString('utf8');
    throw new Error(
      `${target.method} ${target.path} with body ${preview(sent)}\n` +
        `→ no answer within ${Date.now() - started} ms (${(error as Error).name})`,
    );
  }
  const text = await response.text();
  let parsedBody: unknown;
  try {
    parsedBody = text ? JSON.parse(text) : undefined;
  } catch {
    parsedBody = text;
  }
  return { status: response.status, headers: response.headers, body: parsedBody as Problem, text };
}

async function send(target: Target, body: string | Buffer): Promise<void> {
  const res = await post(target, body);
  const outcome = `${res.status} ${(res.body as Problem | undefined)?.code ?? ''}`.trim();
  tally.set(outcome, (tally.get(outcome) ?? 0) + 1);
  const sent = typeof body === 'string' ? body : body.toString('utf8');
  const requestId = res.headers.get('x-request-id');
  if (requestId) answered.set(requestId, `${target.method} ${target.path} ${res.status} ${preview(sent)}`);
  const broken = responseProblems(res, sent);
  if (broken.length > 0) {
    throw new Error(
      `${target.method} ${target.path} with body ${preview(sent)}\n` +
        `→ ${res.status} ${res.text.slice(0, 1500)}\nbroken: ${broken.join('; ')}`,
    );
  }
}

// ---------------------------------------------------------------------------------------------
// Generators

/** Any UTF-16 code unit, lone surrogates and NUL included. */
const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((n) => String.fromCharCode(n));
const nasty = fc.constantFrom(
  '\u0000',
  '\ud800',
  '\udfff',
  '\ufeff',
  '\u202e',
  '😀',
  'é',
  '~1/~0',
  '\\',
  '"',
);
const weirdString = fc.oneof(
  fc.string({ unit: codeUnit, maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.array(nasty, { maxLength: 6 }).map((parts) => parts.join('')),
  fc.tuple(fc.integer({ min: 1_000, max: 300_000 }), codeUnit).map(([length, unit]) => unit.repeat(length)),
);
const weirdKey = fc.oneof(
  fc.constantFrom(
    '__proto__',
    'constructor',
    'prototype',
    'toString',
    '',
    'a/b',
    '~',
    '~1',
    '\u0000',
    '\ud800',
    'phone',
    'callee',
    'contactSpec',
    'user',
    'to',
    'from',
    'campaignId',
    'type',
    'reasonCode',
  ),
  fc.string({ unit: codeUnit, maxLength: 12 }),
  fc.string({ maxLength: 12 }),
);

/** JSON text of arbitrary values, including what fc.jsonValue() cannot produce (deep, huge). */
const jsonText: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((value) => JSON.stringify(value)) },
  { weight: 2, arbitrary: weirdString.map((value) => JSON.stringify(value)) },
  {
    weight: 2,
    arbitrary: fc
      .dictionary(weirdKey, fc.oneof(weirdString, fc.jsonValue({ maxDepth: 2 })), { maxKeys: 5 })
      .map((value) => JSON.stringify(value)),
  },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '1e400',
      '-1e400',
      '1e-400',
      '-0',
      '123456789012345678901234567890',
      '9007199254740993',
      '0.30000000000000004',
      '1.7976931348623157e308',
    ),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom(100, 5_000, 100_000), fc.boolean())
      .map(([depth, arrays]) =>
        arrays
          ? `${'['.repeat(depth)}${']'.repeat(depth)}`
          : `${'{"a":'.repeat(depth)}null${'}'.repeat(depth)}`,
      ),
  },
);

type Path = Array<string | number>;

/** Every path to a member or item of `value` (objects and arrays), root excluded. */
function pathsOf(value: Json, prefix: Path = []): Path[] {
  if (Array.isArray(value))
    return value.flatMap((item, i) => [[...prefix, i], ...pathsOf(item, [...prefix, i])]);
  if (value !== null && typeof value === 'object')
    return Object.entries(value).flatMap(([key, item]) => [
      [...prefix, key],
      ...pathsOf(item, [...prefix, key]),
    ]);
  return [];
}

/** Containers (objects and arrays) of `value`, root included. */
function containersOf(value: Json, prefix: Path = []): Path[] {
  if (value === null || typeof value !== 'object') return [];
  const children = Array.isArray(value)
    ? value.flatMap((item, i) => containersOf(item, [...prefix, i]))
    : Object.entries(value).flatMap(([key, item]) => containersOf(item, [...prefix, key]));
  return [prefix, ...children];
}

function at(root: Json, path: Path): Json {
  let node = root;
  for (const step of path) node = (node as Record<string | number, Json>)[step] as Json;
  return node;
}

/** Sets a member without triggering the `__proto__` setter. */
function setOwn(container: Json, key: string | number, value: Json): void {
  if (Array.isArray(container) && typeof key === 'number') container[key] = value;
  else Object.defineProperty(container, key, { value, enumerable: true, writable: true, configurable: true });
}

function remove(container: Json, key: string | number): void {
  if (Array.isArray(container) && typeof key === 'number') container.splice(key, 1);
  else delete (container as Record<string, Json>)[key];
}

const PLACEHOLDER = '\u0001fuzz-splice\u0001';

/** Characters a schema cannot see but storage may choke on, put inside otherwise valid strings. */
const hiddenChars = fc
  .array(fc.oneof(nasty, codeUnit), { minLength: 1, maxLength: 3 })
  .map((a) => a.join(''));
/** Numbers that pass a `type: number` check but are edge cases (JSON.parse turns 1e400 into Infinity). */
const edgeNumber = fc.constantFrom(
  '1e400',
  '-1e400',
  '1e-400',
  '-0',
  '5e-324',
  '0.5',
  '1e21',
  '9007199254740993',
);
/** Nesting deeper than anything reasonable, for free-form members (metadata, attributes). */
const deepText = fc
  .tuple(fc.constantFrom(40, 1_000, 20_000), fc.boolean())
  .map(([depth, arrays]) =>
    arrays ? `${'['.repeat(depth)}${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`,
  );

/** One edit of a valid body. Values are JSON text, spliced in so deep or huge ones survive. */
type Mutation =
  | { kind: 'perturb'; pick: number; position: number; text: string; number: string; deep: string }
  | { kind: 'lengthen'; pick: number; unit: string; length: number }
  | { kind: 'drop' | 'null' | 'wrap-array' | 'wrap-object'; pick: number }
  | { kind: 'rename'; pick: number; key: string }
  | { kind: 'retype'; pick: number; text: string }
  | { kind: 'insert'; pick: number; key: string; text: string }
  | { kind: 'wrap-body'; key: string };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('perturb'),
      pick: fc.nat(),
      position: fc.nat(),
      text: hiddenChars,
      number: edgeNumber,
      deep: deepText,
    }),
  },
  fc.record({
    kind: fc.constant('lengthen'),
    pick: fc.nat(),
    unit: fc.constantFrom('x', '5', '/', 'é', '😀'),
    length: fc.constantFrom(100, 5_000, 200_000),
  }),
  fc.record({ kind: fc.constantFrom('drop', 'null', 'wrap-array', 'wrap-object'), pick: fc.nat() }),
  fc.record({ kind: fc.constant('rename'), pick: fc.nat(), key: weirdKey }),
  fc.record({ kind: fc.constant('retype'), pick: fc.nat(), text: jsonText }),
  fc.record({ kind: fc.constant('insert'), pick: fc.nat(), key: weirdKey, text: jsonText }),
  fc.record({ kind: fc.constant('wrap-body'), key: fc.constantFrom('data', 'body', 'contact', 'input') }),
) as fc.Arbitrary<Mutation>;

/** Applies mutations to a copy of `valid`; the result is JSON text. */
function mutate(valid: Json, mutations: readonly Mutation[]): string {
  let body = JSON.parse(JSON.stringify(valid)) as Json;
  const splices: string[] = [];
  const splice = (text: string): Json => {
    splices.push(text);
    return `${PLACEHOLDER}${splices.length - 1}`;
  };
  for (const m of mutations) {
    if (m.kind === 'wrap-body') {
      body = m.key === 'data' ? [body] : { [m.key]: body };
      continue;
    }
    if (m.kind === 'insert') {
      if (body === null || typeof body !== 'object') body = {};
      const containers = containersOf(body);
      const path = containers[m.pick % containers.length] ?? [];
      const container = at(body, path);
      if (Array.isArray(container)) container.push(splice(m.text));
      else setOwn(container, m.key, splice(m.text));
      continue;
    }
    const paths = pathsOf(body);
    if (paths.length === 0) {
      if (m.kind === 'retype') body = splice(m.text);
      else if (m.kind === 'null') body = null;
      continue;
    }
    const path = paths[m.pick % paths.length] ?? [];
    const key = path.at(-1) as string | number;
    const parent = at(body, path.slice(0, -1));
    const value = at(body, path);
    if (m.kind === 'perturb') {
      // Same type as before, so the value still passes the schema and reaches the service.
      if (typeof value === 'string') {
        const cut = m.position % (value.length + 1);
        setOwn(parent, key, `${value.slice(0, cut)}${m.text}${value.slice(cut)}`);
      } else if (typeof value === 'number') setOwn(parent, key, splice(m.number));
      else if (value !== null && typeof value === 'object' && !Array.isArray(value))
        setOwn(value, `k${m.text}`, splice(m.deep));
    } else if (m.kind === 'lengthen') {
      // A long value of the right type: reaches format checks, hints and storage.
      if (typeof value === 'string') setOwn(parent, key, `${value}${m.unit.repeat(m.length)}`);
    } else if (m.kind === 'drop') remove(parent, key);
    else if (m.kind === 'null') setOwn(parent, key, null);
    else if (m.kind === 'wrap-array') setOwn(parent, key, [value]);
    else if (m.kind === 'wrap-object') setOwn(parent, key, { value });
    else if (m.kind === 'retype') setOwn(parent, key, splice(m.text));
    else if (m.kind === 'rename' && !Array.isArray(parent)) {
      remove(parent, key);
      setOwn(parent, m.key, value);
    }
  }
  return JSON.stringify(body).replace(
    new RegExp(`"${PLACEHOLDER}(\\d+)"`, 'g'),
    (_match, index: string) => splices[Number(index)] ?? 'null',
  );
}

/** Bytes that claim to be JSON: noise, broken JSON, invalid UTF-8, BOMs, unbalanced nesting. */
function garbage(validText: fc.Arbitrary<string>): fc.Arbitrary<Buffer> {
  const bytes = (text: string) => Buffer.from(text, 'utf8');
  return fc.oneof(
    fc.uint8Array({ maxLength: 512 }).map((array) => Buffer.from(array)),
    fc
      .tuple(validText, fc.nat())
      .map(([text, cut]) => bytes(text.slice(0, text.length === 0 ? 0 : cut % text.length))),
    fc.tuple(validText, fc.nat(), fc.integer({ min: 0, max: 255 })).map(([text, position, byte]) => {
      const buffer = bytes(text);
      if (buffer.length > 0) buffer[position % buffer.length] = byte;
      return buffer;
    }),
    fc
      .tuple(
        validText,
        fc.constantFrom(
          [0xef, 0xbb, 0xbf],
          [0xff, 0xfe],
          [0xc0, 0xaf],
          [0xed, 0xa0, 0x80],
          [0xf4, 0x90, 0x80, 0x80],
          [0x00],
          [0x80],
        ),
        fc.boolean(),
      )
      .map(([text, raw, prefix]) => {
        // Either before the body, or inside its first string literal.
        const inside = prefix ? 0 : text.indexOf('"') + 1;
        return Buffer.concat([bytes(text.slice(0, inside)), Buffer.from(raw), bytes(text.slice(inside))]);
      }),
    fc.constantFrom(
      bytes(''),
      bytes('   '),
      bytes('null'),
      bytes('{'),
      bytes('}'),
      bytes('[1,]'),
      bytes('{"a":1,}'),
      bytes("{'a':1}"),
      bytes('{"a":NaN}'),
      bytes('{"a":Infinity}'),
      bytes('{"a":undefined}'),
      bytes('{"a":1}{"b":2}'),
      bytes('{"a":"\\ud800"}'),
      bytes('{"a":"\\u0000"}'),
      bytes('{"__proto__":{"polluted":true}}'),
      bytes('{"constructor":{"prototype":{"polluted":true}}}'),
      bytes('['.repeat(200_000)),
      bytes(`${'{"a":'.repeat(100_000)}1`),
    ),
  );
}

// ---------------------------------------------------------------------------------------------

const target = () => fc.constantFrom(...targets);

/** Runs one property with a bounded budget and prints what the server answered. */
async function check<T>(name: string, property: fc.IAsyncProperty<T>): Promise<void> {
  tally.clear();
  answered.clear();
  try {
    await fc.assert(property, {
      numRuns: RUNS,
      seed: SEED,
      interruptAfterTimeLimit: 25_000,
      markInterruptAsFailure: true,
      includeErrorInReport: true,
    });
  } finally {
    const summary = [...tally].sort((a, b) => b[1] - a[1]).map(([outcome, n]) => `${outcome}: ${n}`);
    console.log(`${name} (seed ${SEED}): ${summary.join(', ')}`);
  }
  await assertAudited();
}

/** The contract: every request, accepted or rejected, has an audit entry under its id. */
async function assertAudited(): Promise<void> {
  const missing: string[] = [];
  for (const [requestId, request] of answered) {
    const res = await server.request<{ data: unknown[] }>(
      'GET',
      `/v1/audit-events?requestId=${encodeURIComponent(requestId)}`,
    );
    if (res.status !== 200 || res.body.data.length !== 1) missing.push(`${requestId}: ${request}`);
  }
  assert.deepEqual(missing, [], `requests without an audit entry:\n${missing.join('\n')}`);
}

/** Inputs earlier runs found (the shrunk counterexamples), replayed on every run. */
const FOUND: Array<{ what: string; route: string; body: string }> = [
  {
    what: '200,000-character time zone (its hint took 187 s)',
    route: 'PUT /v1/campaigns/:id',
    body: JSON.stringify({ name: 'n', timezone: 'x'.repeat(200_000) }),
  },
  {
    what: '200,000-character unknown field name',
    route: 'POST /v1/campaigns',
    body: JSON.stringify({ name: 'n', ['x'.repeat(200_000)]: 1 }),
  },
  {
    what: '200,000-digit phone number',
    route: 'POST /v1/campaigns',
    body: JSON.stringify({ name: 'n', callerId: `+1${'5'.repeat(200_000)}` }),
  },
  ...['', 'a'].map((pad) => ({
    what: `audit preview cut inside a surrogate pair (offset ${pad.length})`,
    route: 'POST /v1/campaigns',
    body: JSON.stringify({ name: 'n', metadata: { team: `${pad}fuzz${'😀'.repeat(20_000)}` } }),
  })),
  { what: 'NUL in a name', route: 'PUT /v1/campaigns/:id', body: '{"name":"a\\u0000b"}' },
  { what: 'lone surrogate in a name', route: 'PUT /v1/campaigns/:id', body: '{"name":"a\\ud800b"}' },
  {
    what: 'NUL in a metadata key',
    route: 'POST /v1/campaigns',
    body: '{"name":"n","metadata":{"k\\u0000":1}}',
  },
  {
    what: 'lone surrogate in contact attributes',
    route: 'POST /v1/contacts',
    body: '{"externalId":"e-surrogate","attributes":{"a":"\\udfff"}}',
  },
  { what: 'NUL in a DNC reason', route: 'PUT /v1/dnc/:number', body: '{"reason":"\\u0000"}' },
  { what: 'NUL in a tenant name', route: 'POST /v1/tenants', body: '{"name":"\\u0000"}' },
  {
    what: 'NUL 70 levels down in metadata',
    route: 'POST /v1/campaigns',
    body: `{"name":"n","metadata":${'{"a":'.repeat(70)}"\\u0000"${'}'.repeat(70)}}`,
  },
  {
    what: 'metadata nested 5,000 deep',
    route: 'POST /v1/campaigns',
    body: `{"name":"n","metadata":${'{"a":'.repeat(5_000)}1${'}'.repeat(5_000)}}`,
  },
];

describe('fuzzing the write routes', () => {
  test('inputs found by earlier runs', async () => {
    answered.clear();
    const failures: string[] = [];
    for (const found of FOUND) {
      const t = targets.find((candidate) => candidate.key === found.route);
      assert.ok(t, `no write route ${found.route}`);
      await send(t, found.body).catch((error: Error) => failures.push(`${found.what}: ${error.message}`));
    }
    await assertAudited().catch((error: Error) => failures.push(error.message));
    assert.deepEqual(failures, [], failures.join('\n\n'));
  });

  test('every write route is fuzzed from a valid body that passes its schema', async () => {
    const routes = writeRoutes(server.pconn.app.pconnRoutes).map((r) => `${r.method} ${r.url}`);
    const uncovered = routes.filter((key) => !(key in VALID_BODIES));
    assert.deepEqual(uncovered, [], `add a valid body for:\n${uncovered.join('\n')}`);
    assert.equal(targets.length, routes.length);
    for (const t of targets) {
      // Imports take CSV/NDJSON and prompts a WAV file: a JSON body is always 415 there.
      if (t.key.endsWith('/import') || t.key === 'PUT /v1/prompts/:id') continue;
      const res = await server.request(t.method, t.path, { body: t.valid });
      assert.ok(![400, 415].includes(res.status), `${t.key}: valid body refused: ${res.text}`);
    }
  });

  test('arbitrary JSON values never cause a 5xx and get well-formed problems', async () => {
    await check(
      'arbitrary JSON',
      fc.asyncProperty(target(), jsonText, (t, body) => send(t, body)),
    );
  });

  test('mutated valid bodies never cause a 5xx and errors point into the body', async () => {
    await check(
      'mutations',
      fc.asyncProperty(
        target().chain((t) => fc.tuple(fc.constant(t), fc.array(mutation, { minLength: 1, maxLength: 4 }))),
        ([t, mutations]) => send(t, mutate(t.valid, mutations)),
      ),
    );
  });

  test('byte garbage sent as application/json is a 4xx problem, never a 5xx', async () => {
    await check(
      'garbage',
      fc.asyncProperty(
        target().chain((t) => fc.tuple(fc.constant(t), garbage(fc.constant(JSON.stringify(t.valid))))),
        ([t, bytes]) => send(t, bytes),
      ),
    );
  });
});
