/**
 * How long an agent stays in wrap-up after a call of `campaign` ended: the campaign's
 * `wrapUpSeconds` when it has one (a wave-2 campaign field), else `fallback`
 * (PCONN_WRAP_UP_SECONDS, default 10). 0 sends the agent straight back to available. The one
 * place that reads it, so the campaign field can take over without touching the dialer.
 */
export function wrapUpSecondsOf(campaign: unknown, fallback: number): number {
  const value = (campaign as { wrapUpSeconds?: unknown } | null | undefined)?.wrapUpSeconds;
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : fallback;
}
