import type { Logger } from 'pino';
import { AUDIT_SUMMARY_ROUTE } from '../../contract/audit-chain.ts';
import type { Clock } from '../../domain/clock.ts';
import type { AuditWriter } from './audit-writer.ts';

/** One request refused before authentication (429), as the summary counts it. */
export interface Refusal {
  ip: string | null;
  requestId: string;
  method: string;
  path: string;
  status: number;
  code: string | null;
  userAgent: string | null;
  at: Date;
}

interface Summary {
  count: number;
  firstAt: Date;
  lastAt: Date;
  firstRequestId: string;
  lastRequestId: string;
  answers: Map<string, number>;
  paths: Map<string, number>;
  otherPaths: number;
  userAgent: string | null;
}

/** Distinct `METHOD path` kept per summary (the rest are counted as `otherPaths`). */
const MAX_PATHS = 10;
/** Addresses tracked at once; refusals from more are counted under OTHER_ADDRESSES. */
const MAX_ADDRESSES = 10_000;
const OTHER_ADDRESSES = '(other addresses)';

/**
 * Requests refused with 429 before authentication (no usable token, past the source address's
 * budget) are audited as one summary entry per address and window — "n refused from address X
 * between t1 and t2, first and last request id, answers, paths" — instead of one entry each:
 * a flood of 20,000 token-less requests once added 30 MB to the audit trail. The summaries are
 * written to the unauthenticated chain like any entry (hashed, verifiable) when the window
 * closes and at shutdown; a refused request is answered before its summary is committed (it did
 * nothing), unlike every other request, whose entry is committed before its answer leaves.
 */
export class RefusalSummaries {
  private summaries = new Map<string, Summary>();
  private timer?: NodeJS.Timeout;
  private flushing?: Promise<void>;

  constructor(
    private readonly writer: AuditWriter,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly windowMs: number,
  ) {}

  /** Counts one refused request. */
  add(refusal: Refusal): void {
    let key = refusal.ip ?? '(unknown)';
    if (!this.summaries.has(key) && this.summaries.size >= MAX_ADDRESSES) key = OTHER_ADDRESSES;
    let summary = this.summaries.get(key);
    if (!summary) {
      summary = {
        count: 0,
        firstAt: refusal.at,
        lastAt: refusal.at,
        firstRequestId: refusal.requestId,
        lastRequestId: refusal.requestId,
        answers: new Map(),
        paths: new Map(),
        otherPaths: 0,
        userAgent: refusal.userAgent,
      };
      this.summaries.set(key, summary);
      // One line when an address starts being refused, one with its count when the window
      // closes: the log stays as small as the audit trail however long the flood lasts.
      this.logger.warn(
        { ip: refusal.ip, requestId: refusal.requestId, windowSeconds: this.windowMs / 1000 },
        'address over its budget before authentication: further refusals are summarized',
      );
    }
    summary.count++;
    summary.lastAt = refusal.at;
    summary.lastRequestId = refusal.requestId;
    summary.userAgent = refusal.userAgent;
    const answer = `${refusal.status} ${refusal.code ?? ''}`.trim();
    summary.answers.set(answer, (summary.answers.get(answer) ?? 0) + 1);
    const path = `${refusal.method} ${refusal.path.slice(0, 200)}`;
    if (summary.paths.has(path) || summary.paths.size < MAX_PATHS)
      summary.paths.set(path, (summary.paths.get(path) ?? 0) + 1);
    else summary.otherPaths++;
  }

  /** Writes the open summaries (one entry per address) and waits for their commit. */
  async flush(): Promise<void> {
    await this.flushing;
    if (this.summaries.size === 0) return;
    const closed = this.summaries;
    this.summaries = new Map();
    const at = this.clock.now().toISOString();
    this.flushing = Promise.allSettled(
      [...closed].map(async ([ip, summary]) => {
        this.logger.warn(
          { ip, refused: summary.count, from: summary.firstAt, to: summary.lastAt },
          'requests refused before authentication (summary)',
        );
        const body = {
          summary: {
            refused: summary.count,
            from: summary.firstAt.toISOString(),
            to: summary.lastAt.toISOString(),
            firstRequestId: summary.firstRequestId,
            lastRequestId: summary.lastRequestId,
            answers: Object.fromEntries(summary.answers),
            paths: Object.fromEntries(summary.paths),
            ...(summary.otherPaths > 0 ? { otherPaths: summary.otherPaths } : {}),
          },
        };
        try {
          await this.writer.write({
            tenantId: null,
            requestId: summary.firstRequestId,
            clientRequestId: null,
            clientId: null,
            method: '-',
            route: AUDIT_SUMMARY_ROUTE,
            path: '',
            status: 429,
            code: 'rate_limited',
            durationMs: 0,
            ip: ip === OTHER_ADDRESSES || ip === '(unknown)' ? null : ip,
            userAgent: summary.userAgent?.slice(0, 512) ?? null,
            bodyDigest: null,
            body,
            problem: null,
            at,
          });
        } catch (error) {
          this.logger.error(
            { err: error, ip, ...body },
            'audit summary of refused requests failed to commit',
          );
        }
      }),
    ).then(() => undefined);
    await this.flushing;
  }

  /** Flushes every window until stopped. */
  start(): void {
    this.timer = setInterval(() => void this.flush(), this.windowMs);
    this.timer.unref();
  }

  /** Stops and writes what is still open. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.flush();
  }
}
