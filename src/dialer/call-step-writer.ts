import type { Clock } from '../domain/clock.ts';
import type { Db } from '../store/database.ts';
import { runStoreOperation } from '../store/store-operation.ts';
import { type CallStep, type StepAnswer, stepCallKey, writeStepsOperation } from './call-steps.ts';

interface Pending {
  step: CallStep;
  resolve: (answer: unknown) => void;
  reject: (error: unknown) => void;
}

/**
 * The group commit of the calls' lives (issue 15), in the style of the accept path's
 * CallAcceptor: call sessions hand it their steps — begin an attempt, change status, settle and
 * decide — and await their own answer; it writes everything queued since its last flush in ONE
 * transaction of a fixed number of set-based statements (call-steps.ts), so a call's ~25
 * statements and their round trips become a share of a batch's ten. There is no timer: an idle
 * writer flushes on the next turn of the event loop, and while a flush is in flight the next
 * batch accumulates. A call has at most one step per batch (one UPDATE cannot change a row
 * twice); a second waits for the next flush, so its steps stay in order.
 */
export class CallStepWriter {
  readonly #queue: Pending[] = [];
  #draining = false;
  /** Batches written so far (tests read it to see that steps were grouped). */
  flushes = 0;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly maxBatch = 256,
  ) {}

  /** Queues a step; resolves with its answer once its batch committed. */
  write<S extends CallStep>(step: S): Promise<StepAnswer<S>> {
    return new Promise<unknown>((resolve, reject) => {
      this.#queue.push({ step, resolve, reject });
      if (!this.#draining) void this.#drain();
    }) as Promise<StepAnswer<S>>;
  }

  async #drain(): Promise<void> {
    this.#draining = true;
    try {
      // Let the event loop poll sockets first, so steps from other calls' events can join.
      await nextTurn();
      while (this.#queue.length > 0) {
        await this.#flush(this.#takeBatch());
        await nextTurn();
      }
    } finally {
      this.#draining = false;
    }
  }

  /** The oldest queued steps, one per call, up to maxBatch; the rest stay queued in order. */
  #takeBatch(): Pending[] {
    const batch: Pending[] = [];
    const calls = new Set<string>();
    const rest: Pending[] = [];
    for (const pending of this.#queue) {
      const key = stepCallKey(pending.step);
      if (batch.length < this.maxBatch && !calls.has(key)) {
        calls.add(key);
        batch.push(pending);
      } else rest.push(pending);
    }
    this.#queue.splice(0, this.#queue.length, ...rest);
    return batch;
  }

  async #flush(batch: Pending[]): Promise<void> {
    let answers: unknown[];
    try {
      this.flushes += 1;
      const now = this.clock.now();
      answers = await runStoreOperation(this.db, writeStepsOperation, {
        steps: batch.map((p) => p.step),
        now,
      });
    } catch (error) {
      // Nothing of the batch was written. Each step runs again alone, so only the culprit fails.
      if (batch.length === 1) (batch[0] as Pending).reject(error);
      else for (const pending of batch) await this.#flush([pending]);
      return;
    }
    for (const [i, pending] of batch.entries()) pending.resolve(answers[i]);
  }
}

/** Resolves after the event loop's next poll phase (I/O callbacks run first). */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
