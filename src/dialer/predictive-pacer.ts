import type { Clock } from '../domain/clock.ts';
import type { AgentSnapshot } from '../domain/pacing/abandon-forecast.ts';
import { computeAbandonmentLedger } from '../domain/pacing/abandonment-ledger.ts';
import { abandonmentRulesFor } from '../domain/pacing/campaign-jurisdiction.ts';
import type { CampaignStats } from '../domain/pacing/campaign-stats.ts';
import { decideDials, type LedgerBudget, type PacingDecision } from '../domain/pacing/pacing-controller.ts';
import { type PacingMeasurements, PacingStatistics } from '../domain/pacing/pacing-statistics.ts';
import { publishCampaignStats } from '../service/campaigns/campaign-stats.ts';
import { publishPacingRestriction } from '../service/campaigns/pacing-restriction.ts';
import { dialingSettingsOf } from '../service/resources/campaign-dialing.ts';
import type { StoredCampaign } from '../service/resources/campaigns.ts';
import type { CallRow } from '../store/calls/call-rows.ts';
import { readLedgerAttempts } from '../store/calls/ledger-attempts.ts';
import { loadPacedAgents, loadRecentDials, type RecentDialRow } from '../store/calls/pacing-figures.ts';
import type { Db } from '../store/database.ts';
import type { ContactFirstPhase } from './contact-first.ts';

/*
 * Live pacing of predictive campaigns (issue 17): on each dialer tick, for every running
 * predictive campaign whose session agents this node holds, the pure controller `decideDials`
 * is asked how many contacts to dial now, with live figures — agents per state from the session
 * rows, the dials of this node still ringing or waiting for an agent, the campaign's recent
 * attempts (live-answer and machine rates, ring and talk times) and its abandonment ledger, the
 * last two read from the store and kept for a second. The controller's limits (lines per agent,
 * the trunk's lines, the ledger's headroom) are its own; a restricted ledger makes it answer
 * progressive (each dial reserves an agent), and the change is published once as
 * `campaign.pacing_restricted` (serialised on the campaign row across nodes).
 */

/** What the pacer decided for one campaign. */
export interface PacedCampaign {
  tenantId: string;
  campaignId: string;
  decision: PacingDecision;
  /** Agents per state (for the live statistics). */
  agents: Record<string, number>;
  /** Dials ringing, answers waiting and calls connected of this campaign on this node. */
  linesInUse: number;
  measurements: PacingMeasurements;
  abandonRate: number;
}

/** Settings of the pacer. */
export interface PacerOptions {
  /** Lines this node may hold (PCONN_MAX_CONCURRENT_CALLS). */
  trunkLines: number;
  /** Contact ring timeout (seconds): the forecast's horizon. */
  ringTimeoutSeconds: number;
  /** How long recent attempts and the ledger are kept per campaign (default 1,000 ms). */
  figuresTtlMs?: number;
  /** Recent attempts measured (default 500). */
  recentDials?: number;
  /** `campaign.stats` every this many ms per paced campaign (default 5,000). */
  statsIntervalMs?: number;
}

interface Figures {
  at: number;
  measurements: PacingMeasurements;
  ledger: LedgerBudget;
  abandonRate: number;
  governing: { liveAnswers: number; abandoned: number; rate: number };
  cap: number | null;
}

const DAY_MS = 86_400_000;

/** The predictive campaigns' pacing on one dialer node. */
export class PredictivePacer {
  private readonly figures = new Map<string, Figures>();
  /** Restriction last seen per campaign: the event goes out on a change only. */
  private readonly restricted = new Map<string, boolean>();
  /** Contact-first calls of this node: their campaign (`tenant/campaign`) and dial start (ms). */
  private readonly dials = new Map<string, { campaignKey: string; startedAt: number }>();
  /** Until when no predictive campaign needs a look (ms): a node without any reads once a second. */
  private idleUntil = 0;
  /** When the live statistics are next due (ms). */
  private statsDue = 0;

  constructor(
    private readonly deps: {
      db: Db;
      clock: Clock;
      owner: string;
      options: PacerOptions;
      /** The live statistics just published (metrics). */
      onStats?: (stats: readonly CampaignStats[]) => void;
    },
  ) {}

  /** A contact-first call of this node was dialled: pacing counts it until `untrack`. */
  track(call: CallRow): void {
    const campaignKey = `${call.tenant_id}/${call.campaign_id}`;
    this.dials.set(call.id, { campaignKey, startedAt: this.deps.clock.now().getTime() });
  }

  /** The call's attempt ended. */
  untrack(callId: string): void {
    this.dials.delete(callId);
  }

  /**
   * The dials to start now per campaign, given each tracked call's phase (ringing, waiting for
   * an agent) and this node's calls in all.
   */
  async plan(
    phaseOf: (callId: string) => ContactFirstPhase,
    calls: number,
    force = false,
  ): Promise<PacedCampaign[]> {
    const { db, clock, owner, options } = this.deps;
    const now = clock.now().getTime();
    const live = [...this.dials].map(([id, dial]) => ({ ...dial, phase: phaseOf(id) }));
    const otherCalls = calls;
    if (!force && now < this.idleUntil) return [];
    const rows = await loadPacedAgents(db, owner);
    if (rows.length === 0) {
      this.idleUntil = now + 1000;
      return [];
    }
    const byCampaign = new Map<
      string,
      { tenantId: string; campaignId: string; campaign: StoredCampaign; agents: AgentSnapshot[] }
    >();
    for (const row of rows) {
      const key = `${row.tenant_id}/${row.campaign_id}`;
      // The document comes once per campaign, on its first row (loadPacedAgents orders them so).
      const entry = byCampaign.get(key) ?? {
        tenantId: row.tenant_id,
        campaignId: row.campaign_id,
        campaign: row.campaign as StoredCampaign,
        agents: [],
      };
      const since = row.state_since === null ? now : new Date(row.state_since).getTime();
      entry.agents.push({
        state: row.agent_state as AgentSnapshot['state'],
        elapsedSeconds: Math.max(0, (now - since) / 1000),
      });
      byCampaign.set(key, entry);
    }
    const plans: PacedCampaign[] = [];
    for (const [key, { tenantId, campaignId, campaign, agents }] of byCampaign) {
      const settings = dialingSettingsOf(campaign);
      const figures = await this.figuresOf(key, tenantId, campaignId, campaign, now);
      const mine = live.filter((d) => d.campaignKey === key);
      const ringingSeconds = mine.filter((d) => d.phase === 'ringing').map((d) => (now - d.startedAt) / 1000);
      const waitingAnswers = mine.filter((d) => d.phase === 'waiting').length;
      const decision = decideDials({
        mode: 'predictive',
        measurements: figures.measurements,
        agents,
        ringingSeconds,
        reservedDials: 0,
        waitingAnswers,
        limits: {
          linesPerAgent: settings.pacing.maxLinesPerAgent,
          trunkLines: Math.max(0, options.trunkLines - (otherCalls - mine.length)),
        },
        ledger: figures.ledger,
        // The marginal risk per live answer: the campaign's target, halved as the tuner starts.
        riskBound: settings.pacing.abandonRateTarget / 2,
        connectWithinSeconds: 2,
        ringTimeoutSeconds: options.ringTimeoutSeconds,
      });
      await this.publishRestriction(key, tenantId, campaignId, figures);
      const counts: Record<string, number> = { available: 0, reserved: 0, on_call: 0, wrap_up: 0, paused: 0 };
      for (const agent of agents) counts[agent.state] = (counts[agent.state] ?? 0) + 1;
      plans.push({
        tenantId,
        campaignId,
        decision,
        agents: counts,
        linesInUse: mine.length + (counts.on_call ?? 0),
        measurements: figures.measurements,
        abandonRate: figures.abandonRate,
      });
    }
    if (now >= this.statsDue) {
      this.statsDue = now + (options.statsIntervalMs ?? 5000);
      const stats = plans.map(campaignStatsOf);
      await publishCampaignStats(db, stats);
      this.deps.onStats?.(stats);
    }
    return plans;
  }

  /** Forgets a campaign's cached figures (an attempt of it ended: the next plan reads afresh). */
  invalidate(campaignKey: string): void {
    const cached = this.figures.get(campaignKey);
    // Kept for the TTL anyway: ends come in bursts, one read a second is the point.
    if (cached) cached.at = Math.min(cached.at, this.deps.clock.now().getTime());
  }

  private async figuresOf(
    key: string,
    tenantId: string,
    campaignId: string,
    campaign: StoredCampaign,
    now: number,
  ): Promise<Figures> {
    const cached = this.figures.get(key);
    if (cached && now - cached.at < (this.deps.options.figuresTtlMs ?? 1000)) return cached;
    const settings = dialingSettingsOf(campaign);
    const recent = await loadRecentDials(this.deps.db, {
      tenantId,
      campaignId,
      limit: this.deps.options.recentDials ?? 500,
    });
    const stats = new PacingStatistics(this.deps.options.recentDials ?? 500);
    // The wrap-up is the campaign's (a disposition may end it sooner: the forecast is cautious).
    stats.recordWrap(settings.wrapUpSeconds);
    for (const row of [...recent].reverse()) measure(stats, row);
    const rules = abandonmentRulesFor(settings.jurisdiction);
    const windowDays = rules?.period.kind === 'rolling_days' ? rules.period.days : 1;
    const attempts = await readLedgerAttempts(this.deps.db, {
      tenantId,
      campaignId,
      from: new Date(now - windowDays * DAY_MS),
      to: new Date(now + 1),
    });
    const ledger = rules ? computeAbandonmentLedger(attempts, rules, now) : null;
    const abandoned = attempts.filter((a) => a.abandoned).length;
    const figures: Figures = {
      at: now,
      measurements: stats.measurements(),
      ledger: ledger
        ? {
            headroom: ledger.headroom,
            restricted: ledger.restricted,
            maxAbandonRate: Math.min(ledger.maxAbandonRate, settings.pacing.abandonRateTarget),
          }
        : {
            headroom: Number.POSITIVE_INFINITY,
            restricted: false,
            maxAbandonRate: settings.pacing.abandonRateTarget,
          },
      abandonRate: attempts.length === 0 ? 0 : abandoned / attempts.length,
      governing: ledger?.governing ?? { liveAnswers: attempts.length, abandoned, rate: 0 },
      cap: rules?.maxAbandonRate ?? null,
    };
    this.figures.set(key, figures);
    return figures;
  }

  /**
   * `campaign.pacing_restricted` when the ledger's restriction changed: once per change across
   * nodes (the campaign row is locked and the last such event compared).
   */
  private async publishRestriction(key: string, tenantId: string, campaignId: string, figures: Figures) {
    const restricted = figures.ledger.restricted;
    if ((this.restricted.get(key) ?? false) === restricted) return;
    this.restricted.set(key, restricted);
    await publishPacingRestriction(this.deps.db, {
      tenantId,
      campaignId,
      restricted,
      ledger: { ...figures.governing, cap: figures.cap },
    });
  }
}

/** The live statistics of a pacing round's campaign. */
export function campaignStatsOf(plan: PacedCampaign): CampaignStats {
  const staffed = Object.entries(plan.agents).reduce((n, [state, k]) => (state === 'paused' ? n : n + k), 0);
  const inFlight = plan.linesInUse - (plan.agents.on_call ?? 0);
  return {
    tenantId: plan.tenantId,
    campaignId: plan.campaignId,
    linesInUse: plan.linesInUse,
    dialsPerAgent: staffed === 0 ? 0 : inFlight / staffed,
    agents: plan.agents,
    answerRate: plan.measurements.liveRate,
    abandonRate: plan.abandonRate,
  };
}

/** One ended attempt into the measurements: how the dial ended, its ring and talk times. */
function measure(stats: PacingStatistics, row: RecentDialRow): void {
  const started = new Date(row.started_at).getTime();
  const ended = new Date(row.ended_at).getTime();
  const answered = row.contact_answered_at === null ? null : new Date(row.contact_answered_at).getTime();
  const ring = answered === null ? 0 : Math.max(0, (answered - started) / 1000);
  if (
    row.verdict === 'machine' ||
    row.verdict === 'fax' ||
    row.outcome === 'machine' ||
    row.outcome === 'fax'
  )
    stats.recordDial('machine', ring);
  else if (answered !== null || row.outcome === 'answered' || row.outcome === 'abandoned')
    stats.recordDial('live', ring);
  else if (row.outcome === 'no_answer') stats.recordDial('no_answer', 0);
  else stats.recordDial('failed', 0);
  if (row.agent_connected_at !== null && row.outcome === 'answered')
    stats.recordTalk(Math.max(0, (ended - new Date(row.agent_connected_at).getTime()) / 1000));
}
