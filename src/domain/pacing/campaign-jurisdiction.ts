import { ABANDONMENT_RULES, type AbandonmentRules, type Jurisdiction } from './abandonment-rules.ts';

/*
 * A campaign names the jurisdiction whose abandonment rules it follows, or `none` (calls outside
 * any regime: no cap, the ledger never restricts). Both regimes pconn knows demand a message
 * with the caller's identity when a live answer is abandoned (47 CFR 64.1200(a)(7)(i)(A); Ofcom
 * persistent-misuse policy A1.4), so a predictive campaign under them needs an abandon prompt.
 */

/** The jurisdiction a campaign may name. */
export type CampaignJurisdiction = Jurisdiction | 'none';

/** The default: pconn's first users dial in the US. */
export const DEFAULT_JURISDICTION: CampaignJurisdiction = 'us_fcc';

/** Whether an abandoned live answer must hear a recorded message, per jurisdiction. */
export const ABANDON_MESSAGE_REQUIRED: Readonly<Record<CampaignJurisdiction, boolean>> = {
  us_fcc: true,
  uk_ofcom: true,
  none: false,
};

/** The rules a campaign's jurisdiction imposes, or null for `none`. */
export function abandonmentRulesFor(jurisdiction: CampaignJurisdiction): AbandonmentRules | null {
  return jurisdiction === 'none' ? null : ABANDONMENT_RULES[jurisdiction];
}
