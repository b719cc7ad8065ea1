import type { Static } from '@sinclair/typebox';
import type { AbandonmentLedger as AbandonmentLedgerSchema } from '../contract/abandonment.ts';
import type {
  AgentPauseInput as AgentPauseInputSchema,
  AgentSessionInput as AgentSessionInputSchema,
  AgentSession as AgentSessionSchema,
  DispositionInput as DispositionInputSchema,
} from '../contract/agent-sessions.ts';
import type { AuditEvent as AuditEventSchema, AuditHead as AuditHeadSchema } from '../contract/audit.ts';
import type {
  CallEvent as CallEventSchema,
  Call as CallSchema,
  CampaignCallInput as CampaignCallInputSchema,
  DirectCallInput as DirectCallInputSchema,
  DryRunResult as DryRunResultSchema,
} from '../contract/calls.ts';
import type {
  CampaignInput as CampaignInputSchema,
  Campaign as CampaignSchema,
} from '../contract/campaigns.ts';
import type {
  ConsoleSession as ConsoleSessionSchema,
  ConsoleSignInInput as ConsoleSignInInputSchema,
} from '../contract/console-session.ts';
import type {
  ContactInput as ContactInputSchema,
  Contact as ContactSchema,
  ImportResult as ImportResultSchema,
  PhoneTypes as PhoneTypesSchema,
} from '../contract/contacts.ts';
import type { PreviewOffer as PreviewOfferSchema } from '../contract/preview-offers.ts';
import type { FieldErrorSchema, ProblemSchema } from '../contract/problem.ts';
import type {
  CallerIdInput as CallerIdInputSchema,
  CallerId as CallerIdSchema,
  TrunkInput as TrunkInputSchema,
  Trunk as TrunkSchema,
  WebhookInput as WebhookInputSchema,
  Webhook as WebhookSchema,
} from '../contract/telephony-config.ts';
import type {
  Client as ClientSchema,
  CreatedClient as CreatedClientSchema,
  TokenResponse as TokenResponseSchema,
} from '../contract/tenancy.ts';
import type { UserInput as UserInputSchema, User as UserSchema } from '../contract/users.ts';

// Every wire type is derived from the TypeBox contract (the same schemas the server validates
// with and publishes as OpenAPI), so a renamed or removed field is a compile error here.

/** A campaign as pconn answers it. */
export type Campaign = Static<typeof CampaignSchema>;
/** Fields a client sets on a campaign. */
export type CampaignInput = Static<typeof CampaignInputSchema>;
/** A campaign's abandonment ledger (GET /v1/campaigns/{id}/abandonment). */
export type AbandonmentLedger = Static<typeof AbandonmentLedgerSchema>;
/** A contact as pconn answers it. */
export type Contact = Static<typeof ContactSchema>;
/** Fields a client sets on a contact. */
export type ContactInput = Static<typeof ContactInputSchema>;
/** Result of a bulk contact import. */
export type ImportResult = Static<typeof ImportResultSchema>;
/** The tenant's phone types. */
export type PhoneTypes = Static<typeof PhoneTypesSchema>;
/** A user (agent) as pconn answers it. */
export type User = Static<typeof UserSchema>;
/** Fields a client sets on a user. */
export type UserInput = Static<typeof UserInputSchema>;
/** A personal-connection session as pconn answers it. */
export type AgentSession = Static<typeof AgentSessionSchema>;
/** Body of PUT /v1/users/{id}/session. */
export type AgentSessionInput = Static<typeof AgentSessionInputSchema>;
/** Where a session is: `starting | ready | on_call | ending | ended`. */
export type AgentSessionStatus = AgentSession['status'];
/** Body of POST /v1/agent-sessions/{id}/pause. */
export type AgentPauseInput = Static<typeof AgentPauseInputSchema>;
/** Body of POST /v1/calls/{id}/disposition. */
export type DispositionInput = Static<typeof DispositionInputSchema>;
/** A preview call offered to a session's agent. */
export type PreviewOffer = Static<typeof PreviewOfferSchema>;
/** The agent's state in a session: `available | reserved | on_call | wrap_up | paused`. */
export type AgentState = AgentSession['state'];
/** A caller id as pconn answers it. */
export type CallerId = Static<typeof CallerIdSchema>;
/** Fields a client sets on a caller id. */
export type CallerIdInput = Static<typeof CallerIdInputSchema>;
/** A SIP trunk as pconn answers it (no password). */
export type Trunk = Static<typeof TrunkSchema>;
/** Fields a client sets on a trunk. */
export type TrunkInput = Static<typeof TrunkInputSchema>;
/** A webhook endpoint as pconn answers it. */
export type Webhook = Static<typeof WebhookSchema>;
/** Fields a client sets on a webhook endpoint. */
export type WebhookInput = Static<typeof WebhookInputSchema>;
/** A call with its attempts. */
export type Call = Static<typeof CallSchema>;
/** One entry of a call's timeline, and the body of every event (SSE `data`, webhooks). */
export type PconnEvent = Static<typeof CallEventSchema>;
/** Body of POST /v1/campaigns/{id}/calls. */
export type CampaignCallInput = Static<typeof CampaignCallInputSchema>;
/** Body of POST /v1/calls. */
export type DirectCallInput = Static<typeof DirectCallInputSchema>;
/** Answer of `?dryRun=true`. */
export type DryRunResult = Static<typeof DryRunResultSchema>;
/** One audit entry. */
export type AuditEvent = Static<typeof AuditEventSchema>;
/** The newest link of the tenant's audit chain. */
export type AuditHead = Static<typeof AuditHeadSchema>;
/** An OAuth client as listed. */
export type OAuthClient = Static<typeof ClientSchema>;
/** An OAuth client as created (secret shown once). */
export type CreatedClient = Static<typeof CreatedClientSchema>;
/** RFC 6749 §5.1 token response. */
export type TokenResponse = Static<typeof TokenResponseSchema>;
/** One entry of a problem's `errors[]`. */
export type FieldError = Static<typeof FieldErrorSchema>;
/** RFC 9457 problem details as pconn writes them, with any extension members. */
export type Problem = Static<typeof ProblemSchema> & Record<string, unknown>;

/** Body of POST /console/session: tenant (default "default"), user and password. */
export type ConsoleSignIn = Static<typeof ConsoleSignInInputSchema>;
/** A console session's answer: who is signed in and an access token with the role's scopes. */
export type ConsoleSignedIn = Static<typeof ConsoleSessionSchema>;

/** `{ data, nextCursor }`, the envelope of every list. */
export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}
