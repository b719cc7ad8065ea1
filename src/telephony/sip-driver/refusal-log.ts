import type { RegisterRefusal } from '../sip/registrar/index.ts';

/** What {@link RefusalLog} lets through: one refusal, or a count of those it held back. */
export type RefusalReport =
  | { kind: 'refused'; refusal: RegisterRefusal }
  | {
      kind: 'suppressed';
      /** Refusals not reported one by one in the window that just ended. */
      count: number;
      windowSeconds: number;
      /** The sources they came from, most frequent first (at most 5), as `[host, count]`. */
      topSources: Array<[string, number]>;
    };

/** Settings of {@link RefusalLog}. */
export interface RefusalLogOptions {
  report: (report: RefusalReport) => void;
  /** Length of a window; default 60 s. */
  windowMs?: number;
  /** Refusals reported one by one per window, over all phones; default 20. */
  maxLinesPerWindow?: number;
  /** Clock in ms; default Date.now (tests use node's mock timers, which also drive the flush). */
  now?: () => number;
}

const MAX_TRACKED_SOURCES = 1000;

/**
 * Rate-limits refused-REGISTER reports, so a misconfigured phone retrying every second or a
 * password-guessing flood cannot flood the log. Per window (default 60 s) each distinct
 * (reason, user, source host) is reported once, and at most `maxLinesPerWindow` lines in all;
 * the rest are counted, and one `suppressed` summary with the busiest sources follows at the
 * window's end (so a flood still shows up, in one line, and fail2ban-style tools still see
 * every offending host at least once per window while the budget lasts).
 */
export class RefusalLog {
  private readonly windowMs: number;
  private readonly maxLines: number;
  private readonly now: () => number;
  private windowStart = 0;
  private lines = 0;
  private readonly seen = new Set<string>();
  private suppressed = 0;
  private readonly suppressedBySource = new Map<string, number>();
  private flushTimer: NodeJS.Timeout | undefined;

  /** Creates a limiter that hands what passes to `options.report`. */
  constructor(private readonly options: RefusalLogOptions) {
    this.windowMs = options.windowMs ?? 60_000;
    this.maxLines = options.maxLinesPerWindow ?? 20;
    this.now = options.now ?? Date.now;
  }

  /** Reports `refusal` now, or counts it for the window's summary. */
  record(refusal: RegisterRefusal): void {
    const now = this.now();
    if (now - this.windowStart >= this.windowMs) {
      this.flush();
      this.windowStart = now;
    }
    const host = sourceHost(refusal.source);
    const key = `${refusal.reason}\u0000${refusal.user}\u0000${host}`;
    if (!this.seen.has(key) && this.lines < this.maxLines) {
      this.seen.add(key);
      this.lines += 1;
      this.options.report({ kind: 'refused', refusal });
      return;
    }
    this.suppressed += 1;
    if (this.suppressedBySource.has(host) || this.suppressedBySource.size < MAX_TRACKED_SOURCES)
      this.suppressedBySource.set(host, (this.suppressedBySource.get(host) ?? 0) + 1);
    // The summary must come even when the flood stops: a timer ends the window.
    this.flushTimer ??= setTimeout(() => this.flush(), this.windowStart + this.windowMs - now);
    this.flushTimer.unref?.();
  }

  /** Reports what the current window held back (if anything) and starts afresh. */
  flush(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    if (this.suppressed > 0) {
      const topSources = [...this.suppressedBySource].sort((a, b) => b[1] - a[1]).slice(0, 5);
      this.options.report({
        kind: 'suppressed',
        count: this.suppressed,
        windowSeconds: Math.round(this.windowMs / 1000),
        topSources,
      });
    }
    this.seen.clear();
    this.suppressedBySource.clear();
    this.suppressed = 0;
    this.lines = 0;
    this.windowStart = this.now();
  }
}

/** The host of `host:port` (`[v6]:port` too); `unknown` when the source is not known. */
function sourceHost(source: string | undefined): string {
  if (!source) return 'unknown';
  const v6 = /^\[([^\]]+)\]/.exec(source);
  return v6?.[1] ?? source.replace(/:\d+$/, '');
}
