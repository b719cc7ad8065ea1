import type { CampaignCallInput, DirectCallInput } from '../../contract/calls.ts';
import { type Clock, systemClock } from '../../domain/clock.ts';
import { ConflictError, PconnError, PolicyRefusalError } from '../../domain/pconn-error.ts';
import type { RequestContext } from '../../domain/request-context.ts';
import { findCall } from '../../store/calls/calls.ts';
import type { CampaignCallFactsRow } from '../../store/calls/load-campaign-call-facts.ts';
import type { AcceptedCall } from '../../store/calls/write-new-calls.ts';
import type { Db } from '../../store/database.ts';
import { findIdempotencyAnswers, type IdempotencyAnswer } from '../../store/idempotency-keys.ts';
import { runStoreOperation } from '../../store/store-operation.ts';
import { type AcceptOutcome, replayedOutcome, storedOutcome } from './accept-outcome.ts';
import { callIdTaken, checkMetadata, decisionInstant, refuseIfNotAllowed } from './accept-rules.ts';
import type { CallPlan } from './call-plan.ts';
import { checkCampaignDialable, checkContactReference, planFromFacts } from './check-campaign-call.ts';
import { decide, decideFromFacts, decisionJson } from './decide.ts';
import { type InlineContactWrite, inlineContactFact } from './inline-contact.ts';
import { type NewCall, newCall } from './new-call.ts';
import { planDirectCall } from './plan-direct-call.ts';
import { readAcceptFactsOperation } from './read-accept-facts.ts';
import { writeAcceptBatchOperation } from './write-accept-batch.ts';

/** How long a key and its answer are kept (24 h, IETF httpapi idempotency draft). */
export const IDEMPOTENCY_TTL_SECONDS = 24 * 3600;

/** What a call request asks for: a campaign call (by contactId or inline contact) or a direct call. */
export type CallShape =
  | { kind: 'campaign'; campaignId: string; input: CampaignCallInput }
  | { kind: 'direct'; input: DirectCallInput };

/** One call request, of any shape, to accept or (dryRun) to decide on. */
export interface AcceptRequest {
  ctx: RequestContext;
  shape: CallShape;
  dryRun: boolean;
  /** The Idempotency-Key and the request's fingerprint (method, path, canonical body). */
  idempotency?: { key: string; fingerprint: string };
}

interface Pending {
  request: AcceptRequest;
  resolve: (outcome: AcceptOutcome) => void;
  reject: (error: unknown) => void;
}

/** A request checked and ready to write: its outcome and what accepting it writes. */
interface Planned {
  outcome: AcceptOutcome;
  call?: NewCall;
  contact?: InlineContactWrite;
}

/**
 * The one accept use case (DESIGN.md "Storage"): every call request — campaign calls by
 * contactId or with an inline contact, direct calls, dry runs, keyed retries — goes through
 * here, alone or with whatever arrived meanwhile (group commit). A batch reads every fact it
 * needs in a few statements, judges each request with the same pure checks, and writes the
 * accepted calls, their first events and every keyed answer in ONE statement (inside one
 * transaction with inline contacts' upserts), so a call and the answer its key replays commit
 * together or not at all: a crash can never leave a call whose key would let a retry create a
 * second one. Each request is answered only after its batch committed. There is no timer: the
 * first request runs at once and the next batch is whatever queued meanwhile.
 */
export class CallAcceptor {
  readonly #queue: Pending[] = [];
  readonly #keysInFlight = new Set<string>();
  readonly #clock: Clock;
  #draining = false;

  constructor(
    private readonly db: Db,
    private readonly options: {
      sandbox: boolean;
      /** Told after each committed batch, with how many new calls it created (not replays, dry runs). */
      onCallsCreated: (count: number) => void;
      maxBatch?: number;
      clock?: Clock;
    },
  ) {
    this.#clock = options.clock ?? systemClock;
  }

  /**
   * Accepts (or dry-runs) one request; resolves with its outcome once its batch committed, and
   * rejects only for failures that are not the client's (the store is down, a bug).
   */
  submit(request: AcceptRequest): Promise<AcceptOutcome> {
    const key = keyedClaim(request);
    if (key !== undefined) {
      // The same key while its first request is still being accepted on this node. Across
      // nodes the store decides: the loser's call is not written and it replays the winner.
      if (this.#keysInFlight.has(key)) return Promise.resolve(inFlight());
      this.#keysInFlight.add(key);
    }
    const accepted = new Promise<AcceptOutcome>((resolve, reject) => {
      this.#queue.push({ request, resolve, reject });
      if (!this.#draining) void this.#drain();
    });
    return key === undefined ? accepted : accepted.finally(() => this.#keysInFlight.delete(key));
  }

  async #drain(): Promise<void> {
    this.#draining = true;
    try {
      // Let the event loop poll sockets first, so requests that arrived together join one batch
      // (when PGlite ran on this thread and answered in microtasks, no request could join one
      // without this turn: 200 concurrent requests made 200 batches).
      await nextTurn();
      while (this.#queue.length > 0) {
        const batch = this.#queue.splice(0, this.options.maxBatch ?? 256);
        await this.#accept(batch);
        await nextTurn();
      }
    } finally {
      this.#draining = false;
    }
  }

  async #accept(batch: Pending[]): Promise<void> {
    let outcomes: Map<Pending, AcceptOutcome>;
    try {
      outcomes = await this.#acceptBatch(batch);
    } catch (error) {
      // Something unexpected (not a client mistake): nothing of the batch was written. Each
      // request runs again alone, so only the culprit fails.
      if (batch.length === 1) (batch[0] as Pending).reject(error);
      else for (const pending of batch) await this.#accept([pending]);
      return;
    }
    let created = 0;
    for (const pending of batch) {
      const outcome = outcomes.get(pending);
      if (!outcome) {
        pending.reject(new Error('the accept batch left a request unanswered'));
        continue;
      }
      if (outcome.kind === 'accepted' && !outcome.replayed) created += 1;
      pending.resolve(outcome);
    }
    if (created > 0) this.options.onCallsCreated(created);
  }

  async #acceptBatch(batch: Pending[]): Promise<Map<Pending, AcceptOutcome>> {
    const now = this.#clock.now();
    const outcomes = new Map<Pending, AcceptOutcome>();
    const campaignRequests = batch.filter((p) => p.request.shape.kind === 'campaign');
    const read = await runStoreOperation(this.db, readAcceptFactsOperation, {
      keys: batch.flatMap(keyRef),
      facts: campaignRequests.map((p) => factsKey(p.request)),
      now,
    });
    const factsOf = new Map(
      campaignRequests.map((pending, i) => [pending, read.facts[i] as CampaignCallFactsRow]),
    );
    const fresh = batch.filter((pending) => {
      const replay = storedAnswerFor(pending.request, read.stored);
      if (replay) outcomes.set(pending, replay);
      return !replay;
    });
    const planned = await this.#plan(fresh, factsOf);
    const calls: AcceptedCall[] = [];
    const answers: IdempotencyAnswer[] = [];
    const contacts: InlineContactWrite[] = [];
    for (const [pending, { outcome, call, contact }] of planned) {
      const { idempotency, ctx } = pending.request;
      if (call) calls.push({ key: idempotency?.key ?? null, record: call.record });
      if (contact) contacts.push(contact);
      if (idempotency && outcome.kind !== 'dry_run')
        answers.push({
          tenantId: ctx.tenant.id,
          key: idempotency.key,
          fingerprint: idempotency.fingerprint,
          outcome: storedOutcome(outcome),
        });
    }
    const written = await runStoreOperation(this.db, writeAcceptBatchOperation, {
      contacts,
      calls,
      answers,
      ttlSeconds: IDEMPOTENCY_TTL_SECONDS,
      now,
    });
    const lost: Pending[] = [];
    for (const [pending, { outcome }] of planned) {
      const { idempotency, ctx } = pending.request;
      // Another node stored this key first: its call was not written here; replay the winner.
      if (
        idempotency &&
        outcome.kind !== 'dry_run' &&
        !written.keys.has(`${ctx.tenant.id}/${idempotency.key}`)
      )
        lost.push(pending);
      else outcomes.set(pending, outcome);
    }
    if (lost.length > 0) {
      const winners = await findIdempotencyAnswers(this.db, lost.flatMap(keyRef), now);
      for (const pending of lost)
        outcomes.set(pending, storedAnswerFor(pending.request, winners) ?? inFlight());
    }
    return outcomes;
  }

  /**
   * Judges each request: its outcome and, when accepted, the call (and contact) to write. A
   * campaign request's facts were read with the batch's keys (`factsOf`).
   */
  async #plan(
    batch: Pending[],
    factsOf: ReadonlyMap<Pending, CampaignCallFactsRow>,
  ): Promise<Map<Pending, Planned>> {
    const idsInBatch = new Set<string>();
    const planned = new Map<Pending, Planned>();
    for (const pending of batch) {
      try {
        const { request } = pending;
        const result =
          request.shape.kind === 'campaign'
            ? this.#planCampaignCall(request, request.shape, factsOf.get(pending) as CampaignCallFactsRow)
            : await this.#planDirectCall(request, request.shape);
        if (result.call) {
          const idKey = `${request.ctx.tenant.id}/${result.call.call.id}`;
          if (idsInBatch.has(idKey)) throw callIdTaken(result.call.call.id);
          idsInBatch.add(idKey);
        }
        planned.set(pending, result);
      } catch (error) {
        if (!isClientMistake(error)) throw error;
        planned.set(pending, { outcome: { kind: 'refused', error, replayed: false } });
      }
    }
    return planned;
  }

  /** The contract's order: path resource (404), campaign state (409), body references (422), compliance. */
  #planCampaignCall(
    request: AcceptRequest,
    shape: Extract<CallShape, { kind: 'campaign' }>,
    facts: CampaignCallFactsRow,
  ): Planned {
    const { ctx, dryRun } = request;
    const campaign = checkCampaignDialable(shape.campaignId, facts);
    const inline = shape.input.contact
      ? inlineContactFact(ctx, campaign, shape.input.contact, facts)
      : undefined;
    const contact = inline?.fact ?? checkContactReference(campaign, shape.input.contactId ?? '', facts);
    const plan = planFromFacts(campaign, contact, shape.input, facts);
    const decision = decideFromFacts(plan, decisionInstant(ctx, plan), {
      attempts: facts.attempts,
      lastEndedAt: facts.lastEndedAt,
      onDnc: facts.dncNumbers.includes(plan.toNumber),
    });
    if (dryRun) return { outcome: dryRunOutcome(decision) };
    if (facts.callIdTaken && shape.input.id !== undefined) throw callIdTaken(shape.input.id);
    const call = this.#newCall(ctx, plan, decision, shape.input.id);
    return {
      outcome: { kind: 'accepted', call: call.call, replayed: false },
      call,
      ...(inline ? { contact: inline.write } : {}),
    };
  }

  async #planDirectCall(
    request: AcceptRequest,
    shape: Extract<CallShape, { kind: 'direct' }>,
  ): Promise<Planned> {
    const { ctx, dryRun } = request;
    const plan = await planDirectCall(this.db, ctx, shape.input);
    const decision = await decide(this.db, ctx.tenant.id, plan, decisionInstant(ctx, plan));
    if (dryRun) return { outcome: dryRunOutcome(decision) };
    if (shape.input.id !== undefined && (await findCall(this.db, ctx.tenant.id, shape.input.id)))
      throw callIdTaken(shape.input.id);
    const call = this.#newCall(ctx, plan, decision, shape.input.id);
    return { outcome: { kind: 'accepted', call: call.call, replayed: false }, call };
  }

  #newCall(
    ctx: RequestContext,
    plan: CallPlan,
    decision: ReturnType<typeof decideFromFacts>,
    id?: string,
  ): NewCall {
    checkMetadata(plan.metadata);
    refuseIfNotAllowed(decision, plan);
    return newCall(ctx, plan, decision, decisionInstant(ctx, plan), { id, sandbox: this.options.sandbox });
  }
}

/** Client mistakes become refusals (stored with the key); anything else fails the request. */
function isClientMistake(error: unknown): error is PconnError {
  return error instanceof PconnError && error.code !== 'internal' && error.code !== 'unavailable';
}

function dryRunOutcome(decision: ReturnType<typeof decideFromFacts>): AcceptOutcome {
  // Without an agent no time would do, whatever the calling window says.
  const never = decision.rules.some((r) => r.rule === 'agents' && r.result === 'fail');
  const next = never ? null : decision.nextAllowedAt;
  return {
    kind: 'dry_run',
    result: {
      allowed: decision.outcome === 'allowed',
      decision: decisionJson(decision),
      nextAllowedAt: next ? next.toISOString() : null,
    },
  };
}

function factsKey(request: AcceptRequest) {
  const shape = request.shape as Extract<CallShape, { kind: 'campaign' }>;
  const inline = shape.input.contact;
  return {
    tenantId: request.ctx.tenant.id,
    campaignId: shape.campaignId,
    contactId: shape.input.contactId ?? null,
    contactExternalId: inline?.externalId ?? null,
    numbers: (inline?.phoneNumbers ?? []).map((n) => n.number),
    userId: shape.input.userId ?? null,
    callId: shape.input.id ?? null,
  };
}

/** `tenantId/key` of a request whose key is claimed by accepting it (dry runs claim none). */
function keyedClaim(request: AcceptRequest): string | undefined {
  return request.idempotency && !request.dryRun
    ? `${request.ctx.tenant.id}/${request.idempotency.key}`
    : undefined;
}

function keyRef(pending: Pending): { tenantId: string; key: string }[] {
  const { request } = pending;
  return request.idempotency && !request.dryRun
    ? [{ tenantId: request.ctx.tenant.id, key: request.idempotency.key }]
    : [];
}

/** The replay of a stored answer for the request's key, or 422 when the key served another request. */
function storedAnswerFor(
  request: AcceptRequest,
  stored: Map<string, { fingerprint: string; outcome: unknown }>,
): AcceptOutcome | undefined {
  const claim = keyedClaim(request);
  const found = claim === undefined ? undefined : stored.get(claim);
  if (!found) return undefined;
  if (found.fingerprint === request.idempotency?.fingerprint) return replayedOutcome(found.outcome);
  const error = new PolicyRefusalError(
    'idempotency_key_reused',
    'This Idempotency-Key was used for a different request (method, path or body); use a new key.',
  );
  return { kind: 'refused', error, replayed: false };
}

function inFlight(): AcceptOutcome {
  const error = new ConflictError(
    'idempotency_in_flight',
    'A request with this Idempotency-Key is still being processed; retry shortly.',
    { retryable: true, retryAfterSeconds: 1 },
  );
  return { kind: 'refused', error, replayed: false };
}

/** Resolves after the event loop's next poll phase (I/O callbacks run first). */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
