/** pconn's typed SDK (`pconn/sdk`): every type comes from the server's TypeBox contract. */
export {
  type AgentSessionFilter,
  AgentSessionsApi,
  type WaitForSessionOptions,
} from './agent-sessions-api.ts';
export { CallsApi, type CreateCallOptions, TERMINAL_CALL_STATUSES } from './calls-api.ts';
export { type CampaignAction, CampaignsApi, type ImportBody } from './campaigns-api.ts';
export {
  type AccessTokenSource,
  ConsoleSessionTokens,
  type ConsoleSessionTokensOptions,
} from './console-session-tokens.ts';
export { ContactsApi } from './contacts-api.ts';
/** Options of `client.events()`. */
export type { EventStreamOptions } from './event-stream.ts';
export { AuditApi, type AuditChain, ClientsApi, SettingsApi } from './misc-apis.ts';
export { PconnApiError, problemFrom } from './pconn-api-error.ts';
export {
  type ApiAnswer,
  PconnClient,
  type PconnClientOptions,
  type Query,
  queryString,
  type RequestOptions,
} from './pconn-client.ts';
export { type ListOptions, ResourceApi } from './resource-api.ts';
export { RETRYABLE_STATUSES, retryDelayMs } from './retry-after.ts';
export { parseSse, type SseMessage } from './sse-parser.ts';
export { type CachedToken, TokenSource } from './token-source.ts';
/** Every wire type, derived from the TypeBox contract. */
export type * from './types.ts';
export { UsersApi } from './users-api.ts';
