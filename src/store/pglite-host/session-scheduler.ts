/**
 * Hands PGlite's one backend session to one client connection at a time. PostgreSQL gives every
 * connection its own session; PGlite has exactly one, so a `begin` sent by one connection would
 * otherwise take in (and let commit or roll back) whatever another connection sends next. A
 * connection that leaves the session inside a transaction block — or in the middle of an
 * extended query, before its Sync — keeps it: other connections' work waits until it is back
 * at ReadyForQuery 'I'. Work runs strictly one job at a time, first come first served otherwise.
 */
export class SessionScheduler {
  readonly #jobs: Job[] = [];
  #holder: number | undefined;
  #running = false;

  /** `isHeld()` is asked after each job: does the session still belong to that job's connection? */
  constructor(private readonly isHeld: (job: { connection: number; lastType: string }) => boolean) {}

  /** Queues `run` for `connection`; it starts when the session is free or held by `connection`. */
  enqueue(connection: number, lastType: string, run: () => Promise<void>): void {
    this.#jobs.push({ connection, lastType, run });
    void this.#drain();
  }

  /** Gives the session back when its holder goes away (after rolling its transaction back). */
  release(connection: number): void {
    if (this.#holder === connection) this.#holder = undefined;
    void this.#drain();
  }

  /** The connection holding the session across jobs, if any. */
  get holder(): number | undefined {
    return this.#holder;
  }

  async #drain(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    try {
      for (;;) {
        const index =
          this.#holder === undefined ? 0 : this.#jobs.findIndex((job) => job.connection === this.#holder);
        const job = index < 0 ? undefined : this.#jobs.splice(index, 1)[0];
        if (!job) return;
        await job.run();
        this.#holder = this.isHeld(job) ? job.connection : undefined;
      }
    } finally {
      this.#running = false;
    }
  }
}

interface Job {
  connection: number;
  /** The type of the job's last frontend message ('S' Sync, 'Q' Query...). */
  lastType: string;
  run: () => Promise<void>;
}
