import type { Call, CampaignCallInput } from '../../contract/calls.ts';
import { PconnError } from '../../domain/pconn-error.ts';
import type { RequestContext } from '../../domain/request-context.ts';
import {
  type CampaignCallFactsRow,
  loadCampaignCallFacts,
} from '../../store/calls/load-campaign-call-facts.ts';
import {
  type AcceptedCall,
  type NewCallRecord,
  writeAcceptedBatch,
} from '../../store/calls/write-new-calls.ts';
import type { Db, Executor } from '../../store/database.ts';
import type { IdempotencyAnswer } from '../../store/idempotency-keys.ts';
import { IDEMPOTENCY_TTL_SECONDS } from '../idempotency-keys.ts';
import { checkCampaignDialable, checkContactReference, planFromFacts } from './check-campaign-call.ts';
import { callIdTaken, checkMetadata, decisionInstant, refuseIfNotAllowed } from './create-call.ts';
import { decideFromFacts } from './decide.ts';
import { newCall } from './new-call.ts';

/** An answer to one request: the call (202) or a rendered problem, stored for key replays. */
export interface IntakeAnswer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
  problem?: boolean;
}

/** A campaign call by contactId, waiting for the next batch. */
export interface IntakeRequest {
  ctx: RequestContext;
  campaignId: string;
  input: CampaignCallInput & { contactId: string };
  idempotency?: { key: string; fingerprint: string };
  /** Renders a client mistake as the problem answer (it is stored with the key, so rendered now). */
  renderProblem(error: PconnError): IntakeAnswer;
}

/** `fallback`: take the one-request path (existing key, or the batch failed unexpectedly). */
export type IntakeResult = { kind: 'answer'; answer: IntakeAnswer } | { kind: 'fallback' };

interface Pending {
  request: IntakeRequest;
  resolve: (result: IntakeResult) => void;
}

const FALLBACK: IntakeResult = { kind: 'fallback' };

/**
 * The accept path's group commit (DESIGN.md "Storage"): campaign calls by contactId that arrive
 * while the store is busy are gathered and accepted together in a constant
 * number of statements — one reads every fact, one writes the keys' answers, the calls and their
 * first events (atomic as one statement, so no BEGIN/COMMIT round trips) — instead of ~14
 * statements each. There is no timer: the first request runs at once
 * and the next batch is whatever queued meanwhile, so an idle server answers as fast as before.
 * Each request is answered only after its batch committed.
 */
export class CallIntake {
  readonly #queue: Pending[] = [];
  #draining = false;

  constructor(
    private readonly db: Db,
    private readonly options: { sandbox: boolean; onCallsCreated: () => void; maxBatch?: number },
  ) {}

  /** Queues a request; resolves with its answer once its batch committed, or with a fallback. */
  submit(request: IntakeRequest): Promise<IntakeResult> {
    return new Promise((resolve) => {
      this.#queue.push({ request, resolve });
      if (!this.#draining) void this.#drain();
    });
  }

  async #drain(): Promise<void> {
    this.#draining = true;
    try {
      // Let the event loop poll sockets first: PGlite runs queries on this thread and resolves
      // them as microtasks, so without this turn no request could join a batch — every batch
      // would hold one request (measured: 200 concurrent requests, 200 batches).
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
    let results: Map<Pending, IntakeResult>;
    try {
      results = await this.#acceptIn(this.db, batch);
    } catch {
      // Something unexpected (not a client mistake): nothing of the batch was written. Each
      // request runs alone on the one-request path, so only the culprit fails.
      for (const pending of batch) pending.resolve(FALLBACK);
      return;
    }
    let created = false;
    for (const pending of batch) {
      const result = results.get(pending) ?? FALLBACK;
      if (result.kind === 'answer' && result.answer.status === 202) created = true;
      pending.resolve(result);
    }
    if (created) this.options.onCallsCreated();
  }

  /**
   * Reads the facts, checks every request, stores the keyed answers, then inserts the calls of
   * the requests whose key was new. A key that existed (or was taken meanwhile by another node)
   * drops its request's call and sends the request down the one-request path.
   */
  async #acceptIn(db: Executor, batch: Pending[]): Promise<Map<Pending, IntakeResult>> {
    const active = keyOwnersAndUnkeyed(batch);
    const facts = await loadCampaignCallFacts(
      db,
      active.map(({ request }) => ({
        tenantId: request.ctx.tenant.id,
        campaignId: request.campaignId,
        contactId: request.input.contactId,
        userId: request.input.userId ?? null,
        callId: request.input.id ?? null,
      })),
    );
    const answered: { pending: Pending; answer: IntakeAnswer; record?: NewCallRecord }[] = [];
    const keyAnswers: IdempotencyAnswer[] = [];
    const idsInBatch = new Set<string>();
    active.forEach((pending, i) => {
      const { request } = pending;
      let answer: IntakeAnswer;
      let record: NewCallRecord | undefined;
      try {
        const accepted = this.#acceptOne(request, facts[i] as CampaignCallFactsRow, idsInBatch);
        record = accepted.record;
        answer = { status: 202, body: accepted.call, headers: { location: `/v1/calls/${accepted.call.id}` } };
      } catch (error) {
        if (!(error instanceof PconnError) || error.code === 'internal' || error.code === 'unavailable')
          throw error;
        answer = request.renderProblem(error);
      }
      answered.push({ pending, answer, ...(record ? { record } : {}) });
      if (request.idempotency)
        keyAnswers.push({
          tenantId: request.ctx.tenant.id,
          key: request.idempotency.key,
          fingerprint: request.idempotency.fingerprint,
          status: answer.status,
          body: answer.body,
        });
    });
    const calls: AcceptedCall[] = answered.flatMap(({ pending, record }) =>
      record ? [{ key: pending.request.idempotency?.key ?? null, record }] : [],
    );
    const storedKeys = await writeAcceptedBatch(db, calls, keyAnswers, IDEMPOTENCY_TTL_SECONDS);
    const results = new Map<Pending, IntakeResult>();
    for (const { pending, answer } of answered) {
      // A key that existed, or that another node took meanwhile: its call was not written.
      if (pending.request.idempotency && !storedKeys.has(claimKey(pending.request))) continue;
      results.set(pending, { kind: 'answer', answer });
    }
    return results;
  }

  /** The same checks, in the same order, as the one-request path (planCampaignCall + createCall). */
  #acceptOne(
    request: IntakeRequest,
    facts: CampaignCallFactsRow,
    idsInBatch: Set<string>,
  ): { record: NewCallRecord; call: Call } {
    const { ctx, input } = request;
    const campaign = checkCampaignDialable(request.campaignId, facts);
    const contact = checkContactReference(campaign, input.contactId, facts);
    const plan = planFromFacts(campaign, contact, input, facts);
    checkMetadata(plan.metadata);
    const at = decisionInstant(ctx, plan);
    const decision = decideFromFacts(plan, at, {
      attempts: facts.attempts,
      lastEndedAt: facts.lastEndedAt,
      onDnc: facts.dncNumbers.includes(plan.toNumber),
    });
    refuseIfNotAllowed(decision, plan);
    const fresh = newCall(ctx, plan, decision, at, { id: input.id, sandbox: this.options.sandbox });
    const idKey = `${ctx.tenant.id}/${fresh.call.id}`;
    if (facts.callIdTaken || idsInBatch.has(idKey)) throw callIdTaken(fresh.call.id);
    idsInBatch.add(idKey);
    return fresh;
  }
}

function claimKey(request: IntakeRequest): string {
  return `${request.ctx.tenant.id}/${request.idempotency?.key}`;
}

/**
 * The requests the batch accepts: those without a key, and each key's first request (a later
 * one with the same key takes the one-request path, which answers it as a replay or in flight).
 */
function keyOwnersAndUnkeyed(batch: Pending[]): Pending[] {
  const seen = new Set<string>();
  return batch.filter((pending) => {
    if (!pending.request.idempotency) return true;
    const key = claimKey(pending.request);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Resolves after the event loop's next poll phase (I/O callbacks run first). */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
