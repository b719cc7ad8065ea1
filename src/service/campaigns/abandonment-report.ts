import type { AbandonmentLedger, AbandonmentQuery } from '../../contract/abandonment.ts';
import { computeAbandonmentLedger, type LedgerAttempt } from '../../domain/pacing/abandonment-ledger.ts';
import { ABANDONMENT_RULES } from '../../domain/pacing/abandonment-rules.ts';
import { abandonmentRulesFor } from '../../domain/pacing/campaign-jurisdiction.ts';
import { NotFoundError } from '../../domain/pconn-error.ts';
import type { RequestContext } from '../../domain/request-context.ts';
import { readLedgerAttempts } from '../../store/calls/ledger-attempts.ts';
import type { Db } from '../../store/database.ts';
import { ResourceRepository } from '../../store/resources.ts';
import { FieldErrors } from '../field-errors.ts';
import { dialingSettingsOf } from '../resources/campaign-dialing.ts';
import type { StoredCampaign } from '../resources/campaigns.ts';

/*
 * GET /v1/campaigns/{id}/abandonment: the campaign's ledger, recomputed from its attempt rows by
 * the same pure computeAbandonmentLedger the dialer paces with. Days are UTC days: the rules
 * measure per campaign, and a campaign's `timezone` is only its contacts' fallback zone.
 */

const DAY_MS = 86_400_000;
/** The longest range answered (days, both ends included). */
export const MAX_LEDGER_DAYS = 400;
const campaigns = new ResourceRepository<StoredCampaign>('campaigns');

/** The ledger of one campaign over a range of days. 404 for an unknown campaign, 400 for a bad range. */
export async function abandonmentReport(
  db: Db,
  ctx: RequestContext,
  campaignId: string,
  query: AbandonmentQuery,
): Promise<AbandonmentLedger> {
  const now = ctx.now.getTime();
  const { from, to } = parseRange(query, now);
  const campaign = await campaigns.find(db, ctx.tenant.id, campaignId);
  if (!campaign) throw new NotFoundError('campaign', campaignId);
  const { jurisdiction } = dialingSettingsOf(campaign.data);
  const governing = abandonmentRulesFor(jurisdiction);
  // Jurisdiction none counts the same way (live answers, abandons) but has no cap to reach.
  const rules = governing ?? ABANDONMENT_RULES.us_fcc;
  const cap = governing ? governing.maxAbandonRate : null;
  const end = Math.min(to + DAY_MS - 1, now);
  const attempts = await readLedgerAttempts(db, {
    tenantId: ctx.tenant.id,
    campaignId,
    from: new Date(from - 30 * DAY_MS),
    to: new Date(Math.max(end, from - 30 * DAY_MS) + 1),
  });
  const window = slidingWindow(attempts);

  const days: AbandonmentLedger['days'] = [];
  for (let start = from; start <= to; start += DAY_MS) {
    const day = new Date(start).toISOString().slice(0, 10);
    const at = Math.min(start + DAY_MS - 1, now);
    if (at < start) {
      days.push({ day, liveAnswers: 0, abandoned: 0, rate: 0, cap, restricted: false });
      continue;
    }
    const ledger = computeAbandonmentLedger(window(at), rules, at);
    const totals = ledger.days.find((d) => d.day === day) ?? { liveAnswers: 0, abandoned: 0, rate: 0 };
    days.push({
      day,
      liveAnswers: totals.liveAnswers,
      abandoned: totals.abandoned,
      rate: totals.rate,
      cap,
      restricted: governing !== null && ledger.restricted,
    });
  }
  const atEnd = computeAbandonmentLedger(window(end), rules, end);
  return {
    campaignId,
    jurisdiction,
    cap,
    timeZone: 'UTC',
    from: isoDay(from),
    to: isoDay(to),
    days,
    rolling30Days: {
      from: new Date(end - 30 * DAY_MS).toISOString(),
      to: new Date(end).toISOString(),
      ...atEnd.rolling30Days,
      cap,
      restricted: governing !== null && atEnd.restricted,
    },
  };
}

/** The attempts (sorted by answer) answered in the 30 days up to `at`, found by binary search. */
function slidingWindow(sorted: readonly LedgerAttempt[]): (at: number) => LedgerAttempt[] {
  const firstAfter = (t: number) => {
    let a = 0;
    let b = sorted.length;
    while (a < b) {
      const m = (a + b) >> 1;
      if ((sorted[m]?.liveAnsweredAt ?? 0) > t) b = m;
      else a = m + 1;
    }
    return a;
  };
  return (at) => sorted.slice(firstAfter(at - 30 * DAY_MS), firstAfter(at));
}

/** `from`/`to` as the first instants of their UTC days; every problem at once as a 400. */
function parseRange(query: AbandonmentQuery, now: number): { from: number; to: number } {
  const errors = new FieldErrors();
  const today = Math.floor(now / DAY_MS) * DAY_MS;
  const to = query.to === undefined ? today : parseDay('to', query.to, errors);
  const from = query.from === undefined ? (to ?? today) - 29 * DAY_MS : parseDay('from', query.from, errors);
  if (from !== undefined && to !== undefined) {
    if (from > to)
      errors.add(
        '',
        'too_large',
        `Query parameter 'from': ${isoDay(from)} is after 'to' (${isoDay(to)}).`,
        'Swap them: from is the first day, to the last (both included).',
      );
    else if ((to - from) / DAY_MS + 1 > MAX_LEDGER_DAYS)
      errors.add(
        '',
        'too_large',
        `Query parameters 'from'/'to': ${(to - from) / DAY_MS + 1} days asked; at most ${MAX_LEDGER_DAYS} are answered at once.`,
        `Ask for ${MAX_LEDGER_DAYS} days or fewer per request.`,
      );
  }
  errors.throwIfAny('The ledger range is invalid.');
  return { from: from as number, to: to as number };
}

function parseDay(name: 'from' | 'to', value: string, errors: FieldErrors): number | undefined {
  const at = Date.parse(`${value}T00:00:00Z`);
  if (Number.isNaN(at) || isoDay(at) !== value) {
    errors.add(
      '',
      'format',
      `Query parameter '${name}': '${value}' is not a calendar day.`,
      'Use YYYY-MM-DD (UTC), like 2026-03-01.',
    );
    return undefined;
  }
  return at;
}

function isoDay(at: number): string {
  return new Date(at).toISOString().slice(0, 10);
}
