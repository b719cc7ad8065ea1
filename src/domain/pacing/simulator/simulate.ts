import { type AgentEvent, type AgentState, agentLoggedIn, transitionAgent } from '../../agent-state.ts';
import type { AgentSnapshot } from '../abandon-forecast.ts';
import { ABANDONMENT_RULES, type AbandonmentRules } from '../abandonment-rules.ts';
import { decideDials } from '../pacing-controller.ts';
import { type DialOutcome, PacingStatistics } from '../pacing-statistics.ts';
import { RiskBoundTuner } from '../risk-bound-tuner.ts';
import { EventQueue } from './event-queue.ts';
import { SeededRandom } from './seeded-random.ts';
import type {
  SimulatedAttempt,
  SimulatedHour,
  SimulationOptions,
  SimulationReport,
} from './simulation-options.ts';

/*
 * A discrete-event call centre on a virtual clock (seconds): the REAL pacing controller, risk
 * tuner, measurements and agent state machine against a synthetic population. Not pconn's
 * server: no store, no SIP, so 8 hours of 50 agents run in about a second, and a seed always
 * gives the same run. What it models:
 * - a dial is answered live (answerRate), by a machine (machineRate) after a ring uniform in
 *   [ringMin, ringMax], or rings out after max(ringMax, the rules' minimum ring);
 * - a machine is detected and hung up; a live answer goes to the agent reserved for its dial,
 *   else to the longest-idle available agent, else waits; not connected within the rules'
 *   connect window (2 s), it is abandoned;
 * - talk times are lognormal around the mean; each wrap-up lasts the wrap-up timeout;
 * - the controller runs after every event in preview and progressive (one dial per available
 *   agent, so cheap) and, in predictive, every virtual second and whenever an agent frees up.
 */

type Dial = {
  outcome: Exclude<DialOutcome, 'failed'>;
  ringSeconds: number;
  startedAt: number;
  agent: number | null;
  /** Chosen by the forecast (not one per agent, not reserved): what the tuner learns from. */
  paced: boolean;
};
type Waiting = { record: SimulatedAttempt; answeredAt: number; done: boolean; paced: boolean };
type SimEvent =
  | { kind: 'answer'; dial: Dial }
  | { kind: 'ring_out'; dial: Dial }
  | { kind: 'talk_end'; agent: number; talkSeconds: number }
  | { kind: 'wrap_end'; agent: number; wrapSeconds: number }
  | { kind: 'deadline'; waiting: Waiting }
  | { kind: 'offer_accepted'; agent: number }
  | { kind: 'tick' };

const DAY_SECONDS = 86_400;

/** Runs one simulation. */
export function runSimulation(options: SimulationOptions): SimulationReport {
  return new CallCentre(options).run();
}

class CallCentre {
  readonly #o: SimulationOptions;
  readonly #rules: AbandonmentRules;
  readonly #cap: number;
  readonly #end: number;
  readonly #ringTimeout: number;
  readonly #random: SeededRandom;
  readonly #queue = new EventQueue<SimEvent>();
  readonly #stats: PacingStatistics;
  readonly #tuner: RiskBoundTuner;
  readonly #agents: AgentState[];
  readonly #ringing = new Set<Dial>();
  readonly #waiting: Waiting[] = [];
  #waitingHead = 0;
  #reservedDials = 0;
  readonly #attempts: SimulatedAttempt[] = [];
  readonly #hourly: SimulatedHour[];
  readonly #dayLive: number[] = [];
  readonly #dayAbandoned: number[] = [];
  #now = 0;
  #dials = 0;
  #talkSeconds = 0;

  constructor(options: SimulationOptions) {
    this.#o = options;
    this.#rules = ABANDONMENT_RULES[options.jurisdiction ?? 'us_fcc'];
    this.#cap = Math.min(options.abandonTarget, this.#rules.maxAbandonRate);
    this.#end = options.hours * 3600;
    this.#ringTimeout = Math.max(options.ringMaxSeconds, this.#rules.minRingSecondsBeforeNoAnswer);
    this.#random = new SeededRandom(options.seed);
    this.#stats = new PacingStatistics(2000, options.talkMeanSeconds);
    this.#tuner = new RiskBoundTuner({ maxAbandonRate: this.#cap });
    this.#agents = Array.from({ length: options.agents }, () => agentLoggedIn(0));
    this.#hourly = Array.from({ length: Math.max(1, Math.ceil(options.hours)) }, (_, hour) => ({
      hour,
      liveAnswers: 0,
      abandoned: 0,
    }));
  }

  run(): SimulationReport {
    if (this.#o.mode === 'predictive') this.#queue.push(0, { kind: 'tick' });
    else this.#pace();
    const grace = this.#rules.connectWithinSeconds;
    for (let next = this.#queue.pop(); next; next = this.#queue.pop()) {
      if (next.at > this.#end + grace) break;
      this.#now = next.at;
      this.#handle(next.event);
    }
    const live = this.#attempts.length;
    const abandoned = this.#attempts.filter((a) => a.abandoned).length;
    const hourlyRates = this.#hourly.map((h) => (h.liveAnswers === 0 ? 0 : h.abandoned / h.liveAnswers));
    return {
      summary: {
        mode: this.#o.mode,
        agents: this.#o.agents,
        hours: this.#o.hours,
        occupancy: this.#end === 0 ? 0 : this.#talkSeconds / (this.#o.agents * this.#end),
        abandonRate: live === 0 ? 0 : abandoned / live,
        maxHourlyAbandonRate: Math.max(0, ...hourlyRates),
        liveAnswers: live,
        abandoned,
        dials: this.#dials,
      },
      hourly: this.#hourly,
      attempts: this.#attempts,
    };
  }

  #handle(event: SimEvent): void {
    switch (event.kind) {
      case 'tick':
        if (this.#now + 1 < this.#end) this.#queue.push(this.#now + 1, { kind: 'tick' });
        this.#pace();
        return;
      case 'answer':
        this.#answered(event.dial);
        return;
      case 'ring_out':
        this.#endDial(event.dial, 'no_answer');
        if (event.dial.agent !== null) this.#move(event.dial.agent, { type: 'release' });
        this.#paceAfterEvent();
        return;
      case 'talk_end':
        this.#stats.recordTalk(event.talkSeconds);
        this.#move(event.agent, { type: 'hang_up' });
        this.#queue.push(this.#now + this.#o.wrapSeconds, {
          kind: 'wrap_end',
          agent: event.agent,
          wrapSeconds: this.#o.wrapSeconds,
        });
        return;
      case 'wrap_end':
        this.#stats.recordWrap(event.wrapSeconds);
        this.#move(event.agent, { type: 'wrap_timeout' });
        this.#agentFree(event.agent);
        return;
      case 'deadline':
        this.#deadline(event.waiting);
        return;
      case 'offer_accepted':
        this.#startDial(event.agent);
        return;
    }
  }

  #move(agent: number, event: AgentEvent): void {
    const state = this.#agents[agent];
    if (state === undefined) throw new Error(`no agent ${agent}`);
    this.#agents[agent] = transitionAgent(state, event, this.#now * 1000).state;
  }

  /** The available agent who has waited longest, or -1. */
  #longestIdle(): number {
    let best = -1;
    let since = Number.POSITIVE_INFINITY;
    this.#agents.forEach((state, index) => {
      if (state.name === 'available' && state.since < since) {
        best = index;
        since = state.since;
      }
    });
    return best;
  }

  #paceAfterEvent(): void {
    if (this.#o.mode !== 'predictive') this.#pace();
  }

  #pace(): void {
    if (this.#now >= this.#end) return;
    const agents: AgentSnapshot[] = this.#agents.map((state) => ({
      state: state.name,
      elapsedSeconds: this.#now - state.since / 1000,
    }));
    const ringingSeconds: number[] = [];
    for (const dial of this.#ringing) ringingSeconds.push(this.#now - dial.startedAt);
    const { live, abandoned } = this.#governing();
    const decision = decideDials({
      mode: this.#o.mode,
      measurements: this.#stats.measurements(),
      agents,
      ringingSeconds,
      reservedDials: this.#reservedDials,
      waitingAnswers: this.#waiting.length - this.#waitingHead,
      limits: {
        linesPerAgent: this.#o.linesPerAgent ?? 3,
        trunkLines: this.#o.trunkLines ?? Number.POSITIVE_INFINITY,
      },
      ledger: {
        headroom: Math.floor(this.#cap * live + 1e-9) - abandoned,
        restricted: abandoned > 0 && abandoned / live >= this.#cap,
        maxAbandonRate: this.#cap,
      },
      riskBound: this.#tuner.riskBound,
      connectWithinSeconds: this.#rules.connectWithinSeconds,
      ringTimeoutSeconds: this.#ringTimeout,
    });
    for (let i = 0; i < decision.dials; i++) {
      if (!decision.reserveAgents) {
        this.#startDial(null, decision.reason !== 'one_per_agent');
        continue;
      }
      const agent = this.#longestIdle();
      if (agent < 0) break;
      this.#move(agent, { type: 'reserve', callId: `dial-${this.#dials + i}` });
      if (decision.appliedMode === 'preview') {
        this.#queue.push(this.#now + (this.#o.previewSeconds ?? 10), { kind: 'offer_accepted', agent });
      } else {
        this.#startDial(agent);
      }
    }
  }

  /** Live answers and abandons of the span the jurisdiction's cap applies to. */
  #governing(): { live: number; abandoned: number } {
    const today = Math.floor(this.#now / DAY_SECONDS);
    const period = this.#rules.period;
    const first = period.kind === 'day' ? today : today - period.days + 1;
    let live = 0;
    let abandoned = 0;
    for (let day = Math.max(0, first); day <= today; day++) {
      live += this.#dayLive[day] ?? 0;
      abandoned += this.#dayAbandoned[day] ?? 0;
    }
    return { live, abandoned };
  }

  #startDial(agent: number | null, paced = false): void {
    if (this.#now >= this.#end) {
      if (agent !== null) this.#move(agent, { type: 'release' });
      return;
    }
    this.#dials += 1;
    const u = this.#random.next();
    const outcome: Dial['outcome'] =
      u < this.#o.answerRate
        ? 'live'
        : u < this.#o.answerRate + this.#o.machineRate
          ? 'machine'
          : 'no_answer';
    const ringSeconds =
      outcome === 'no_answer'
        ? this.#ringTimeout
        : this.#random.uniform(this.#o.ringMinSeconds, this.#o.ringMaxSeconds);
    const dial: Dial = { outcome, ringSeconds, startedAt: this.#now, agent, paced };
    if (agent === null) this.#ringing.add(dial);
    else this.#reservedDials += 1;
    this.#queue.push(this.#now + ringSeconds, {
      kind: outcome === 'no_answer' ? 'ring_out' : 'answer',
      dial,
    });
  }

  #endDial(dial: Dial, outcome: DialOutcome): void {
    if (dial.agent === null) this.#ringing.delete(dial);
    else this.#reservedDials -= 1;
    this.#stats.recordDial(outcome, dial.ringSeconds);
  }

  #answered(dial: Dial): void {
    this.#endDial(dial, dial.outcome);
    if (dial.outcome === 'machine' || this.#now >= this.#end) {
      // Machines are hung up on; answers after the end of the shift are not counted.
      if (dial.agent !== null) this.#move(dial.agent, { type: 'release' });
      this.#paceAfterEvent();
      return;
    }
    const record: SimulatedAttempt = {
      liveAnsweredAt: this.#now * 1000,
      abandoned: false,
      connectedAfterSeconds: null,
    };
    this.#attempts.push(record);
    this.#countLive(false);
    const agent = dial.agent ?? this.#longestIdle();
    if (agent >= 0) {
      this.#connect(agent, record, 0, dial.paced);
    } else {
      const waiting: Waiting = { record, answeredAt: this.#now, done: false, paced: dial.paced };
      this.#waiting.push(waiting);
      this.#queue.push(this.#now + this.#rules.connectWithinSeconds, { kind: 'deadline', waiting });
    }
    this.#paceAfterEvent();
  }

  #connect(agent: number, record: SimulatedAttempt, afterSeconds: number, paced: boolean): void {
    record.connectedAfterSeconds = afterSeconds;
    this.#tuner.observe(this.#now * 1000, false, paced);
    this.#move(agent, { type: 'connect', callId: `call-${this.#attempts.length}` });
    const talk = this.#random.lognormal(this.#o.talkMeanSeconds, this.#o.talkSigma ?? 0.6);
    this.#talkSeconds += Math.max(0, Math.min(this.#now + talk, this.#end) - this.#now);
    this.#queue.push(this.#now + talk, { kind: 'talk_end', agent, talkSeconds: talk });
  }

  #agentFree(agent: number): void {
    while (this.#waitingHead < this.#waiting.length) {
      const waiting = this.#waiting[this.#waitingHead++];
      if (waiting === undefined || waiting.done) continue;
      waiting.done = true;
      this.#connect(agent, waiting.record, this.#now - waiting.answeredAt, waiting.paced);
      return;
    }
    this.#pace();
  }

  #deadline(waiting: Waiting): void {
    if (waiting.done) return;
    waiting.done = true;
    waiting.record.abandoned = true;
    this.#tuner.observe(this.#now * 1000, true, waiting.paced);
    this.#countLive(true);
    this.#paceAfterEvent();
  }

  /** Counts a live answer (`abandoned` false) when it comes, and its abandon when it happens. */
  #countLive(abandoned: boolean): void {
    const at = abandoned ? this.#now - this.#rules.connectWithinSeconds : this.#now;
    const hour = this.#hourly[Math.min(this.#hourly.length - 1, Math.floor(at / 3600))];
    const day = Math.floor(at / DAY_SECONDS);
    if (abandoned) {
      if (hour) hour.abandoned += 1;
      this.#dayAbandoned[day] = (this.#dayAbandoned[day] ?? 0) + 1;
    } else {
      if (hour) hour.liveAnswers += 1;
      this.#dayLive[day] = (this.#dayLive[day] ?? 0) + 1;
    }
  }
}
