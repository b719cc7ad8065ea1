import { type Static, Type } from '@sinclair/typebox';
import { Call } from './calls.ts';
import { Strict, Timestamp } from './common.ts';

/** A preview call offered to a session's agent (GET /v1/agent-sessions/{id}/offer). */
export const PreviewOffer = Type.Object(
  {
    sessionId: Type.String(),
    userId: Type.String(),
    callId: Type.String(),
    status: Type.Union([Type.Literal('offered'), Type.Literal('accepted')], {
      description: '`offered`: waiting for accept or skip until `expiresAt`; `accepted`: being dialled',
    }),
    expiresAt: Type.Union([Timestamp, Type.Null()], {
      description: 'When an unanswered offer goes back to the queue (null once accepted)',
    }),
    call: Call,
  },
  { description: 'The contact offered to the agent, with the call as GET /v1/calls/{id} answers it' },
);
/** A preview offer. */
export type PreviewOffer = Static<typeof PreviewOffer>;

/** Body of POST /v1/agent-sessions/{id}/offer/skip. */
export const OfferSkipInput = Strict(
  {
    reason: Type.String({
      minLength: 1,
      maxLength: 64,
      description: 'Why the agent skips the contact; on the call’s timeline (`call.skipped`)',
    }),
  },
  'Skip the offered contact',
);
/** Body of POST /v1/agent-sessions/{id}/offer/skip. */
export type OfferSkipInput = Static<typeof OfferSkipInput>;
