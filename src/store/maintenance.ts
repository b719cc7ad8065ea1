import { sql } from 'kysely';
import type { Logger } from 'pino';
import { type Clock, systemClock } from '../domain/clock.ts';
import type { Db } from './database.ts';

/** Settings of the embedded store's upkeep. */
export interface MaintenanceOptions {
  /** How often table sizes are compared with what the planner last saw (ms). */
  checkEveryMs: number;
  /** How often the busy tables are vacuumed (ms). */
  vacuumEveryMs: number;
  /** Paces the vacuum; the system clock when absent. */
  clock?: Clock;
  /**
   * Real time left between two tables' analyses in one round (ms; 0 when absent). An ANALYZE
   * holds the embedded store's one thread for 5–50 ms, and a request's path to its dial crosses
   * to that thread several times in a row (the accept's reads and write, its audit entry, the
   * dialer's claim, the attempt's commit): analyses sent back to back met it at several of those
   * crossings, one stall after another, and the spacing lets any one request meet at most one.
   */
  analyzeGapMs?: number;
}

/** Tables written on every call: their statistics and dead rows matter to every request. */
const BUSY_TABLES = [
  'calls',
  'call_attempts',
  'call_events',
  'idempotency_keys',
  'audit_events',
  'webhook_deliveries',
  'contacts',
  'campaign_contacts',
  'dnc_numbers',
] as const;

/** A table is re-analyzed once it has this many times the pages the planner last saw… */
const GROWTH_FACTOR = 2;
/** …and at least this many pages (smaller tables plan the same whatever their statistics say). */
const MIN_PAGES = 8;
/**
 * …and a table whose statistics already describe rows is left alone below this many pages
 * (1 MB). The planner does not take a table's size from its statistics: it reads the table's
 * current number of pages and scales the rows per page the last analyze found (PostgreSQL's
 * `estimate_rel_size`), so a table that grew keeps estimates of its real size; what an analyze
 * adds is the columns' distributions, which a few hundred rows already show. Each analyze stalls
 * the embedded store's one thread and makes every cached plan over the table plan again: a fresh
 * node at a steady 50 calls/s (dial_latency_p99) ran 7–8 analyses in the ten seconds measured,
 * 5–6 with this rule, and the calls around them were its slowest dials. A table analyzed while
 * empty (0 rows seen) still counts as out of date as soon as it grows.
 */
const SETTLED_PAGES = 128;

/**
 * What autovacuum does for a PostgreSQL server, done for the embedded store (PGlite runs as a
 * single-user backend: no autovacuum, no statistics collector). Without it the planner keeps the
 * statistics of the day a table was created: it was measured picking `calls_contact` (a scan of
 * the tenant's every call) to find one call by id, and starting the attempt count from the
 * tenant's whole `call_attempts`. So: a table that has doubled in size since it was last
 * analyzed, in pages or in live rows, is analyzed again (checked every few seconds, a catalog
 * read of ~0.1 ms), and the busy tables are vacuumed now and then so updated rows do not bloat
 * them.
 *
 * On PostgreSQL it runs too, analyzing only (vacuumEveryMs infinite: autovacuum vacuums).
 * Autovacuum re-analyzes a table a minute or more after it changed, and a fresh database's tables
 * grow from nothing faster than that: measured on accept_ratio_pg, the accept read counted a
 * contact's attempts through `calls_pkey` (every call of the tenant, 1.6 ms a request) on the
 * statistics of an empty `calls`, in half of the runs, at a third of the throughput.
 */
export class StoreMaintenance {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private lastVacuum: number;
  /** Aborted by stop(): ends the periodic checks and cuts short a round's gap between analyses. */
  private stopping = new AbortController();

  constructor(
    private readonly db: Db,
    private readonly logger: Logger,
    private readonly options: MaintenanceOptions,
  ) {
    this.lastVacuum = this.clockMs();
  }

  private clockMs(): number {
    return (this.options.clock ?? systemClock).now().getTime();
  }

  /** Starts the periodic checks. */
  start(): void {
    this.stopping = new AbortController();
    this.schedule();
  }

  /** Stops, after a check in progress has finished. */
  async stop(): Promise<void> {
    this.stopping.abort();
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  /** One round: analyze what is out of date; vacuum when due. Exposed for tests. */
  async runOnce(now = this.clockMs()): Promise<{ analyzed: string[]; vacuumed: boolean }> {
    const stale = await this.tablesOutOfDate();
    const analyzed: string[] = [];
    for (const table of stale) {
      const { signal } = this.stopping;
      if (analyzed.length > 0 && this.options.analyzeGapMs) await pause(this.options.analyzeGapMs, signal);
      if (signal.aborted) break;
      await sql`analyze ${sql.table(table)}`.execute(this.db);
      analyzed.push(table);
    }
    let vacuumed = false;
    if (!this.stopping.signal.aborted && now - this.lastVacuum >= this.options.vacuumEveryMs) {
      this.lastVacuum = now;
      const started = performance.now();
      for (const table of BUSY_TABLES) await sql`vacuum (analyze) ${sql.table(table)}`.execute(this.db);
      vacuumed = true;
      this.logger.debug({ ms: Math.round(performance.now() - started) }, 'store vacuumed');
    }
    if (analyzed.length > 0) this.logger.debug({ tables: analyzed }, 'store statistics refreshed');
    return { analyzed, vacuumed };
  }

  private schedule(): void {
    if (this.stopping.signal.aborted) return;
    this.timer = setTimeout(() => {
      this.running = this.runOnce()
        .then(() => undefined)
        .catch((error: unknown) => this.logger.warn({ err: error }, 'store maintenance failed'))
        .finally(() => {
          this.running = undefined;
          this.schedule();
        });
    }, this.options.checkEveryMs);
    this.timer.unref();
  }

  /**
   * Busy tables whose statistics are out of date: their current size is well past the size
   * recorded at their last analyze, in pages or in live rows.
   *
   * The rows matter where the pages do not move: on PostgreSQL an analyze that runs while another
   * transaction is still inserting a table's rows counts none of them (they are not visible yet)
   * but records the pages they fill, so once they commit the table holds its rows on the pages
   * its statistics describe as empty, and it never looks grown. Measured under scale_ratio,
   * `contacts` analyzed during the contact import read 0 rows on 149 pages for the whole round,
   * and the planner, taking it for empty, found every contact of an accept or pre-dial batch by
   * scanning the tenant's contacts through the external-id index (~2 ms a contact; that round's
   * accepted calls/s a third lower); under accept_ratio_pg, 0 rows on 112 pages held 5,000
   * contacts, and the accept read took ~1 ms a request instead of ~0.08 (629–682 req/s against
   * 1,400–1,900). The live rows are the server's own count (`pg_stat_user_tables.n_live_tup`,
   * kept by PGlite too), which takes a transaction's rows in when it commits and is reset to what
   * an analyze counted. (A probe for a row, repeated only once the pages changed, left such a
   * table empty for good when it ran after the import's last page was written and before its
   * commit.)
   */
  private async tablesOutOfDate(): Promise<string[]> {
    const result = await sql<{
      name: string;
      pages_now: number;
      pages_seen: number;
      rows_seen: number;
      rows_live: number | string | null;
    }>`
      select c.relname as name,
        (pg_relation_size(c.oid) / current_setting('block_size')::int)::int as pages_now,
        c.relpages as pages_seen, c.reltuples as rows_seen, s.n_live_tup as rows_live
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
      left join pg_stat_user_tables s on s.relid = c.oid
      where n.nspname = current_schema() and c.relkind = 'r'
        and c.relname = any(${[...BUSY_TABLES]}::text[])`.execute(this.db);
    const stale: string[] = [];
    for (const row of result.rows) {
      if (row.pages_now < MIN_PAGES) continue;
      // reltuples is -1 for a table never analyzed.
      const rowsSeen = Math.max(Number(row.rows_seen), 0);
      if (rowsSeen > 0 && row.pages_now < SETTLED_PAGES) continue;
      const rowsLive = Number(row.rows_live ?? 0);
      if (
        row.pages_now >= GROWTH_FACTOR * row.pages_seen ||
        (rowsLive > 0 && rowsLive >= GROWTH_FACTOR * rowsSeen)
      )
        stale.push(row.name);
    }
    return stale;
  }
}

/** A real-time pause of `ms` that ends at once when `signal` aborts. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const cut = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', cut);
      resolve();
    }, ms);
    signal.addEventListener('abort', cut, { once: true });
  });
}
