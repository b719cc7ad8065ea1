import type { Worker } from 'node:worker_threads';
import type { LegEvent, LegHandle, LegRequest, TelephonyDriver } from '../../domain/telephony.ts';
import { startScriptWorker } from '../../store/script-worker.ts';
import type { SipListenInfo } from '../../telephony/sip-driver/listen-addresses.ts';
import type { DirectoryRecords } from '../../telephony/sip-driver/record-directory.ts';
import type { SipDriverOptions } from '../../telephony/sip-driver.ts';
import {
  asError,
  LEG_NOT_PLACED,
  type NoteHook,
  type SipAsk,
  type SipCommand,
  type SipReport,
  type SipThreadSettings,
  type SipThreadStart,
} from './sip-thread-messages.ts';
import { TurnOutbox } from './turn-outbox.ts';

/**
 * The SIP thread's entry: dist/sip-thread.js beside main.js in the bundle `npm start` runs
 * (bin/build.js), the TypeScript source when the sources run under tsx (tests, benches).
 */
const THREAD_URL = import.meta.url.endsWith('.ts')
  ? new URL('./sip-thread.ts', import.meta.url)
  : new URL('./sip-thread.js', import.meta.url);

/** What the SIP thread asks of this thread and tells it: the store behind the directory, the nonce ledger and the bindings' mirror; metrics; log lines. */
export type SipThreadHooks = Required<
  Pick<SipDriverOptions, NoteHook | 'onBindingsWritten' | 'nonceLedger'>
> & {
  records: DirectoryRecords;
  /** The SIP thread ended without a close (after its legs were ended and its commands failed). */
  onThreadEnded: (error: Error) => void;
};

/** The start message of a thread that started. */
type Started = Extract<SipThreadStart, { ready: true }>;

/** A command without the number its answer comes back with. */
type Command = SipCommand extends infer C ? (C extends { id: number } ? Omit<C, 'id'> : never) : never;

/** How a leg ends when the SIP thread is gone (RFC 3261 §8.1.3.1: as a transport failure). */
const THREAD_GONE: LegEvent = { type: 'ended', status: 503, reason: 'SIP thread ended', by: 'network' };

/**
 * The TelephonyDriver pconn dials through with `PCONN_TELEPHONY=sip`: the SIP driver
 * (telephony/sip-driver.ts) on a thread of its own (sip-thread.ts), so SIP parsing, timers,
 * sockets and anchored media do not queue behind HTTP requests and store batches on the node's
 * thread, nor those behind them. Commands and reports cross in one message per turn of either
 * event loop. The hooks run here, where the store is.
 */
export class ThreadedSipDriver implements TelephonyDriver {
  readonly name = 'sip' as const;
  readonly #listeners = new Map<string, (event: LegEvent) => void>();
  readonly #waiting = new Map<number, { resolve: (value: never) => void; reject: (error: Error) => void }>();
  readonly #outbox: TurnOutbox<SipCommand>;
  #nextId = 1;
  #gone: Error | undefined;
  #started: Started | undefined;
  /** Settled by the thread's first message; ends (rejects) with the thread if that comes first. */
  readonly #ready: Promise<void>;

  private constructor(
    private readonly worker: Worker,
    private readonly hooks: SipThreadHooks,
  ) {
    this.#outbox = new TurnOutbox<SipCommand>(
      worker,
      (command, error) => this.#unclonable(command, error),
      () => !this.#gone,
    );
    let ready!: { resolve: () => void; reject: (error: Error) => void };
    this.#ready = new Promise<void>((resolve, reject) => {
      ready = { resolve, reject };
    });
    // Reports may come before the start message: the driver may ask for the trunks it probes
    // while it starts, and that question must be answered for it to finish starting.
    worker.on('message', (message: SipReport[] | SipThreadStart) => {
      if (Array.isArray(message)) for (const report of message) this.#receive(report);
      else if (message.ready) {
        this.#started = message;
        ready.resolve();
      } else ready.reject(message.error);
    });
    worker.on('error', (error) => {
      ready.reject(error);
      this.#end(error);
    });
    worker.on('exit', (code) => {
      const error = new Error(`the SIP thread ended (exit code ${code})`);
      ready.reject(error);
      this.#end(error);
    });
  }

  /**
   * Starts the SIP thread; resolves once its socket is bound, rejects when it could not start.
   * `script` is the thread's entry (tests give one of their own).
   */
  static async start(
    settings: SipThreadSettings,
    hooks: SipThreadHooks,
    script: URL = THREAD_URL,
  ): Promise<ThreadedSipDriver> {
    const worker = startScriptWorker(script, settings);
    const driver = new ThreadedSipDriver(worker, hooks);
    try {
      await driver.#ready;
    } catch (error) {
      driver.#gone ??= error as Error;
      await worker.terminate();
      throw error;
    }
    // Like the store's thread, it does not hold the process open: the HTTP server does that.
    worker.unref();
    return driver;
  }

  /** Where the SIP socket listens (port 0 at start → the OS-chosen port). */
  get address(): { host: string; port: number } {
    return (this.#started as Started).address;
  }

  /** The bound socket and the addresses softphones can be pointed at (start-up banner, log). */
  listenInfo(): SipListenInfo {
    return (this.#started as Started).listenInfo;
  }

  dial(request: LegRequest, onEvent: (event: LegEvent) => void): LegHandle {
    const { legId } = request;
    if (this.#gone) {
      queueMicrotask(() => onEvent(THREAD_GONE));
      return { legId };
    }
    this.#listeners.set(legId, onEvent);
    this.#outbox.push({ op: 'dial', request });
    return { legId };
  }

  bridge(a: LegHandle, b: LegHandle): Promise<void> {
    return this.#command({ op: 'bridge', a: a.legId, b: b.legId });
  }

  play(leg: LegHandle, audio: Int16Array): Promise<boolean> {
    return this.#command({ op: 'play', legId: leg.legId, audio });
  }

  hold(leg: LegHandle): Promise<void> {
    return this.#command({ op: 'hold', legId: leg.legId });
  }

  hangup(leg: LegHandle): Promise<void> {
    return this.#command({ op: 'hangup', legId: leg.legId });
  }

  /** Hangs up what is still up (the driver's close), then ends the thread. */
  async close(): Promise<void> {
    if (this.#gone) return;
    try {
      await this.#command({ op: 'close' });
    } finally {
      this.#gone = new Error('the SIP driver is closed');
      await this.worker.terminate();
    }
  }

  #command<T>(command: Command): Promise<T> {
    if (this.#gone) return Promise.reject(this.#gone);
    const id = this.#nextId++;
    return new Promise<T>((resolve, reject) => {
      // A command awaited keeps the process alive until its answer, as a pending store request does.
      if (this.#waiting.size === 0) this.worker.ref();
      this.#waiting.set(id, { resolve: resolve as (value: never) => void, reject });
      this.#outbox.push({ ...command, id } as SipCommand);
    });
  }

  /**
   * A command that could not cross threads fails here as it would have there: a dial's leg ends
   * as one the driver could not place, an awaited command rejects, a hook's answer is a failure.
   */
  #unclonable(command: SipCommand, error: unknown): SipCommand | undefined {
    const failure = new Error(
      `a command to the SIP thread (${command.op}) could not cross threads: ${String(error)}`,
    );
    if (command.op === 'answer') return { op: 'answer', id: command.id, ok: false, error: failure };
    if (command.op === 'dial')
      this.#receive({
        kind: 'leg',
        legId: command.request.legId,
        event: LEG_NOT_PLACED,
      });
    else this.#receive({ kind: 'done', id: command.id, ok: false, error: failure });
    return undefined;
  }

  /** Handles one report; a listener's or hook's failure is told, and the batch's next report still runs. */
  #receive(report: SipReport): void {
    try {
      this.#handle(report);
    } catch (error) {
      this.hooks.onError(error);
    }
  }

  #handle(report: SipReport): void {
    switch (report.kind) {
      case 'leg': {
        const listener = this.#listeners.get(report.legId);
        if (report.event.type === 'ended') this.#listeners.delete(report.legId);
        listener?.(report.event);
        return;
      }
      case 'done': {
        const waiting = this.#waiting.get(report.id);
        this.#waiting.delete(report.id);
        if (this.#waiting.size === 0) this.worker.unref();
        if (report.ok) waiting?.resolve(report.value as never);
        else waiting?.reject(report.error);
        return;
      }
      case 'ask':
        // Through a promise, so that a hook that throws at once is answered as a failure too.
        Promise.resolve(report)
          .then((question) => this.#ask(question))
          .then(
            (value) => this.#outbox.push({ op: 'answer', id: report.id, ok: true, value }),
            (error: unknown) =>
              this.#outbox.push({
                op: 'answer',
                id: report.id,
                ok: false,
                error: asError(error),
              }),
          );
        return;
      case 'note':
        // The union of hook and value is checked where the note is made (sip-thread.ts).
        (this.hooks[report.hook] as (value: unknown) => void)(report.value);
        return;
    }
  }

  #ask(question: SipAsk): Promise<unknown> {
    const { records, nonceLedger, onBindingsWritten } = this.hooks;
    switch (question.hook) {
      case 'tenantTrunk':
        return records.tenantTrunk(question.tenantId);
      case 'allTrunks':
        return records.allTrunks();
      case 'deviceUsers':
        return records.deviceUsers(question.username);
      case 'useNonce':
        return nonceLedger.use(question.nonce, question.nc, question.expiresAt);
      case 'bindingsWritten':
        return onBindingsWritten(question.written);
    }
  }

  /** The thread is gone: its legs end as a transport failure would end them, its commands fail. */
  #end(error: Error): void {
    if (this.#gone) return;
    this.#gone = error;
    for (const legId of [...this.#listeners.keys()])
      this.#receive({ kind: 'leg', legId, event: THREAD_GONE });
    this.#listeners.clear();
    for (const waiting of this.#waiting.values()) waiting.reject(error);
    this.#waiting.clear();
    // A thread that never started is start()'s failure, reported there.
    if (this.#started) this.hooks.onThreadEnded(error);
  }
}
