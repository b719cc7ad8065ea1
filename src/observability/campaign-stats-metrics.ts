import { Gauge, type Registry } from 'prom-client';
import { AGENT_STATES } from '../domain/agent-state.ts';
import type { CampaignStats } from '../domain/pacing/campaign-stats.ts';

/*
 * Live statistics of predictive campaigns (issue 17) as gauges, labelled by campaign id (one
 * series per running predictive campaign: bounded by what a tenant runs at once), set by this
 * node's pacer each time it publishes `campaign.stats`. Campaigns no longer paced here drop out.
 */

/** The per-campaign gauges. */
export class CampaignStatsMetrics {
  private readonly lines: Gauge<'campaign'>;
  private readonly dialsPerAgent: Gauge<'campaign'>;
  private readonly agents: Gauge<'campaign' | 'state'>;
  private readonly answerRate: Gauge<'campaign'>;
  private readonly abandonRate: Gauge<'campaign'>;

  constructor(registry: Registry) {
    const registers = [registry];
    const labelNames = ['campaign'] as const;
    this.lines = new Gauge({
      name: 'pconn_campaign_lines_in_use',
      help: 'Lines a predictive campaign holds on this node: dials ringing, answers waiting, calls connected.',
      labelNames,
      registers,
    });
    this.dialsPerAgent = new Gauge({
      name: 'pconn_campaign_dials_per_agent',
      help: 'Dials in flight per staffed agent of a predictive campaign on this node.',
      labelNames,
      registers,
    });
    this.agents = new Gauge({
      name: 'pconn_campaign_agents',
      help: 'Session agents of a predictive campaign on this node, by state.',
      labelNames: ['campaign', 'state'],
      registers,
    });
    this.answerRate = new Gauge({
      name: 'pconn_campaign_answer_rate',
      help: 'Live answers per dial over a predictive campaign’s recent attempts.',
      labelNames,
      registers,
    });
    this.abandonRate = new Gauge({
      name: 'pconn_campaign_abandon_rate',
      help: 'Abandons per live answer over the span a predictive campaign’s jurisdiction governs.',
      labelNames,
      registers,
    });
  }

  /** The statistics just published: they replace the previous round's. */
  update(stats: readonly CampaignStats[]): void {
    for (const gauge of [this.lines, this.dialsPerAgent, this.agents, this.answerRate, this.abandonRate])
      gauge.reset();
    for (const one of stats) {
      const campaign = one.campaignId;
      this.lines.set({ campaign }, one.linesInUse);
      this.dialsPerAgent.set({ campaign }, one.dialsPerAgent);
      for (const state of AGENT_STATES) this.agents.set({ campaign, state }, one.agents[state] ?? 0);
      this.answerRate.set({ campaign }, one.answerRate);
      this.abandonRate.set({ campaign }, one.abandonRate);
    }
  }
}
