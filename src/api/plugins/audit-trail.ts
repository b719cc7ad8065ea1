import { hash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isSecretName } from '../../contract/secret-fields.ts';
import { BoundedMemo } from '../../domain/bounded-memo.ts';
import type { Clock } from '../../domain/clock.ts';
import { PconnError, UnavailableError } from '../../domain/pconn-error.ts';
import type { AuditWriter } from '../../service/audit/audit-writer.ts';
import type { RefusalSummaries } from '../../service/audit/refusal-summaries.ts';
import { maskSecretsInText, REDACTED } from '../masked-json-text.ts';
import { type ProblemOptions, renderProblem } from '../problem-response.ts';
import { refusedBeforeAuthentication } from '../refused-before-authentication.ts';
import { clientRequestIdOf } from './request-id.ts';

const BODY_CAP = 16 * 1024;

/** Headers of the withheld answer that must not reach the client with the 503 standing in for it. */
const WITHHELD_HEADERS = ['location', 'etag', 'idempotent-replayed', 'content-length', 'content-type'];

/**
 * Every API request, accepted or rejected, gets an audit entry with a digest of the body as
 * sent and a copy with secrets removed, capped at 16 KiB. The entry is committed in onSend —
 * the last point before the answer leaves — so the answer is released only after its group
 * commit; when the entry cannot be committed the answer is replaced by a 503 `unavailable`
 * (Retry-After), never sent unaudited.
 */
export function registerAuditTrail(
  app: FastifyInstance,
  writer: AuditWriter,
  clock: Clock,
  options: ProblemOptions & {
    /**
     * Where requests refused with 429 before authentication are counted (one summary entry per
     * address and window) instead of each getting an entry; absent: each gets its own.
     */
    refusals?: RefusalSummaries;
  },
): void {
  // A request whose client hung up is still being handled after the server has closed; shutdown
  // waits for its entry (AuditWriter.drain) instead of closing the store under it. Counted from
  // the handler on: a request whose client left before that (while its body was arriving)
  // never reaches a handler, did nothing, and gets no entry.
  const inHandler = new Set<FastifyRequest>();
  writer.countRequestsInFlight(() => inHandler.size);
  app.addHook('preHandler', (request, _reply, done) => {
    inHandler.add(request);
    done();
  });
  app.addHook('onSend', async (request: FastifyRequest, reply: FastifyReply, payload) => {
    try {
      return await audit(request, reply, payload);
    } finally {
      inHandler.delete(request);
    }
  });
  async function audit(request: FastifyRequest, reply: FastifyReply, payload: unknown) {
    if (request.routeOptions.config?.audit === false) return payload;
    if (options.refusals && refusedBeforeAuthentication(request)) {
      // Refused before authentication (a flood from one address): counted, not written one by one.
      options.refusals.add({
        ip: request.ip ?? null,
        requestId: request.id,
        method: request.method,
        path: (request.url.split('?')[0] ?? '').slice(0, 2048),
        status: reply.statusCode,
        code: request.problemCode ?? null,
        userAgent: request.headers['user-agent'] ?? null,
        at: clock.now(),
      });
      return payload;
    }
    const raw = request.rawBody;
    const durationMs = Math.round(reply.elapsedTime * 1000) / 1000;
    const entry = {
      tenantId: request.principal?.tenantId ?? request.auditActor?.tenantId ?? null,
      requestId: request.id,
      clientRequestId: clientRequestIdOf(request.raw),
      clientId: request.principal?.clientId ?? request.auditActor?.clientId ?? clientIdFromForm(request),
      method: request.method,
      route: request.routeOptions.url ?? '(unmatched)',
      path: (request.url.split('?')[0] ?? '').slice(0, 2048),
      status: reply.statusCode,
      code: request.problemCode ?? null,
      durationMs,
      ip: request.ip ?? null,
      userAgent: truncate(request.headers['user-agent'] ?? null, 512),
      bodyDigest: raw === undefined ? null : `sha256:${hash('sha256', raw, 'hex')}`,
      body: auditBody(request, raw),
      problem: auditProblem(request.problemBody),
      at: clock.now().toISOString(),
    };
    try {
      await writer.write(entry);
    } catch (error) {
      // A streamed answer (a file) is never read now: release what it holds.
      (payload as { destroy?: () => void } | null)?.destroy?.();
      return withheld(request, reply, error, options);
    }
    return payload;
  }
}

/**
 * Replaces an answer whose audit entry could not be committed by a 503 `unavailable` problem.
 * The request may already have taken effect (a call created, a resource stored), so the detail
 * tells a writer how to retry safely: with the same Idempotency-Key a create route replays its
 * first answer instead of acting twice; PUTs are idempotent anyway.
 */
function withheld(request: FastifyRequest, reply: FastifyReply, error: unknown, options: ProblemOptions) {
  const cause = error instanceof PconnError ? error : undefined;
  const safe = ['GET', 'HEAD', 'OPTIONS'].includes(request.method);
  const problem = renderProblem(
    request,
    new UnavailableError(
      'unavailable',
      safe
        ? 'The audit trail could not record this request, so its answer is withheld. Retry after the Retry-After delay.'
        : 'The audit trail could not record this request, so its answer is withheld; the request may still have taken effect. Retry after the Retry-After delay with the same Idempotency-Key header (a create then replays its first answer instead of acting twice).',
      { retryable: true, retryAfterSeconds: cause?.retryAfterSeconds ?? 5 },
    ),
    options,
  );
  for (const name of WITHHELD_HEADERS) reply.removeHeader(name);
  reply.code(problem.status).headers(problem.headers).header('content-type', 'application/problem+json');
  return JSON.stringify(problem.body);
}

/**
 * The problem answered, as the audit entry keeps it: whole up to 16 KiB, else without its
 * `errors[]` beyond the first 20 (a rejected 100k-line import must not bloat the trail).
 */
function auditProblem(problem: Record<string, unknown> | undefined): unknown {
  if (!problem) return null;
  // A problem may echo the client's input (an unknown member's name, say): sanitized like the body.
  const safe = redact(problem, 0) as Record<string, unknown>;
  if (JSON.stringify(safe).length <= BODY_CAP) return safe;
  const errors = Array.isArray(safe.errors) ? safe.errors : [];
  return { ...safe, errors: errors.slice(0, 20), errorsTruncated: errors.length };
}

function clientIdFromForm(request: FastifyRequest): string | null {
  const body = request.body as { client_id?: unknown } | undefined;
  return typeof body?.client_id === 'string' ? body.client_id.slice(0, 128) : null;
}

/** The redacted, capped copy of the body kept in the trail. */
export function auditBody(request: FastifyRequest, raw: string | undefined): unknown {
  if (raw === undefined) return request.body === undefined ? null : { stream: true };
  let value: unknown;
  if (request.body !== undefined && request.body !== null) value = request.body;
  else if (raw.trim() !== '') {
    try {
      value = JSON.parse(raw);
    } catch {
      // Unparseable bodies (invalid_json) are kept as text, with the value after every
      // secret-named member masked (read leniently: the body is broken) before it is cut.
      return { raw: sanitize(maskSecretsInText(raw).slice(0, BODY_CAP)) };
    }
  } else return null;
  // Only the first BODY_CAP characters are kept, so only about that much is copied: a body of
  // 75,000 members once cost the event loop ~0.3 s here, redacting members nobody would see.
  const budget = { left: BODY_CAP };
  const redacted = redact(value, 0, budget);
  const text = JSON.stringify(redacted);
  if (budget.left >= 0 && text.length <= BODY_CAP) return redacted;
  // The cut may split a surrogate pair, and a lone surrogate makes the jsonb insert (and with
  // it the whole audit batch) fail: sanitize the preview too.
  return { truncated: true, bytes: Buffer.byteLength(raw), preview: sanitize(text.slice(0, BODY_CAP)) };
}

/**
 * A copy with secret-named members masked. `budget` (characters) bounds the copy: once spent,
 * the rest of the value is left out (its text would lie past the cut anyway, since every
 * character counted here is at least one character of the JSON text).
 */
function redact(value: unknown, depth: number, budget = { left: Number.POSITIVE_INFINITY }): unknown {
  if (depth > 32) return '[too deep]';
  if (typeof value === 'string') {
    const kept = value.length > budget.left ? value.slice(0, Math.max(0, budget.left) + 1) : value;
    budget.left -= value.length;
    return sanitize(kept);
  }
  budget.left -= 4;
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (const item of value) {
      if (budget.left < 0) break;
      out.push(redact(item, depth + 1, budget));
    }
    return out;
  }
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key in value) {
      if (budget.left < 0) break;
      budget.left -= key.length;
      const item = (value as Record<string, unknown>)[key];
      out[sanitize(key)] = secretName(key) ? REDACTED : redact(item, depth + 1, budget);
    }
    return out;
  }
  return value;
}

const NUL = String.fromCharCode(0);

// PostgreSQL text and jsonb cannot hold NUL or lone surrogates; the audit copy must never make
// the audit insert fail, so those characters are replaced (checked first: nearly every text
// has neither, and is then kept as it is).
function sanitize(text: string): string {
  if (!text.includes(NUL) && text.isWellFormed()) return text;
  return text.replaceAll(NUL, '\uFFFD').toWellFormed();
}

/**
 * isSecretName, remembered per member name (bounded: names come from clients): the same few
 * names arrive in every body, and splitting a name into words (a few regexps, arrays) was most
 * of redacting a small body.
 */
const secretNames = new BoundedMemo(isSecretName, 10_000);
const secretName = (name: string) => secretNames.get(name);

function truncate(text: string | null, max: number): string | null {
  return text === null ? null : text.slice(0, max);
}
