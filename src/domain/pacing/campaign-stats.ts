/**
 * Live statistics of one predictive campaign on one node (issue 17), as `campaign.stats` and
 * the per-campaign metrics carry them.
 */
export interface CampaignStats {
  tenantId: string;
  campaignId: string;
  /** Dials ringing, answers waiting for an agent, and calls connected. */
  linesInUse: number;
  /** Dials in flight (ringing or waiting) per staffed (not paused) agent. */
  dialsPerAgent: number;
  /** Session agents per state. */
  agents: Record<string, number>;
  /** Live answers ÷ dials over the recent attempts. */
  answerRate: number;
  /** Abandons ÷ live answers over the ledger's governing span. */
  abandonRate: number;
}
