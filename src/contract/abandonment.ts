import { type Static, Type } from '@sinclair/typebox';

const Day = Type.String({
  pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$',
  description: 'A UTC calendar day, YYYY-MM-DD',
});

/** Query of GET /v1/campaigns/{id}/abandonment: a range of UTC days, both ends included. */
export const AbandonmentQuery = Type.Object(
  {
    from: Type.Optional({ ...Day, description: 'First day (default: 29 days before `to`)' }),
    to: Type.Optional({ ...Day, description: 'Last day (default: today, UTC)' }),
  },
  { additionalProperties: false },
);
/** The query as parsed. */
export type AbandonmentQuery = Static<typeof AbandonmentQuery>;

const Totals = {
  liveAnswers: Type.Integer({
    description: 'Live answers (the contact answered; not a machine, fax or SIT)',
  }),
  abandoned: Type.Integer({ description: 'Live answers never connected to an agent' }),
  rate: Type.Number({ description: 'abandoned ÷ liveAnswers (0 without live answers)' }),
  cap: Type.Union([Type.Number(), Type.Null()], {
    description: 'The jurisdiction’s highest allowed rate (null for jurisdiction none)',
  }),
  restricted: Type.Boolean({
    description:
      'The ledger had reached its cap at the end of the span: predictive dialing drops to progressive',
  }),
};

/** The abandonment ledger of a campaign over a range of days. */
export const AbandonmentLedger = Type.Object({
  campaignId: Type.String(),
  jurisdiction: Type.String(),
  cap: Type.Union([Type.Number(), Type.Null()]),
  timeZone: Type.Literal('UTC', { description: 'Days are UTC days' }),
  from: Type.String(),
  to: Type.String(),
  days: Type.Array(Type.Object({ day: Type.String(), ...Totals }), {
    description: 'Every day of the range, oldest first (days without live answers included)',
  }),
  rolling30Days: Type.Object(
    {
      from: Type.String({ format: 'date-time' }),
      to: Type.String({ format: 'date-time' }),
      ...Totals,
    },
    { description: 'The 30 days ending at the end of `to` (or now, when `to` is today)' },
  ),
});
/** The ledger as answered. */
export type AbandonmentLedger = Static<typeof AbandonmentLedger>;
