import type { ColumnType, Generated, Kysely, Transaction } from 'kysely';

/** A jsonb column: read as T, written as a JSON string. */
export type Json<T> = ColumnType<T, string, string>;
/** A timestamptz column the database fills in on insert. */
export type CreatedAt = ColumnType<Date, Date | string | undefined, Date | string>;

/** tenants: one row per tenant; settings live on it. */
export interface TenantsTable {
  id: string;
  name: string;
  default_region: string;
  phone_types: Json<string[]>;
  created_at: CreatedAt;
}

/** OAuth clients; secrets stored as scrypt hashes only. */
export interface ClientsTable {
  tenant_id: string;
  id: string;
  name: string;
  secret_hash: string;
  scopes: Json<string[]>;
  status: 'active' | 'revoked';
  created_at: CreatedAt;
  revoked_at: Date | null;
}

/** Token signing keys (ES256), kept until every token they signed has expired. */
export interface SigningKeysTable {
  kid: string;
  private_jwk: Json<Record<string, unknown>>;
  public_jwk: Json<Record<string, unknown>>;
  created_at: CreatedAt;
  /** No new tokens are signed with the key after this instant. */
  retires_at: Date;
  /** The key leaves the JWKS after this instant. */
  expires_at: Date;
}

/** The audit trail: one hash-chained row per request, chained per tenant. */
export interface AuditEventsTable {
  chain: string;
  sequence: string | number | bigint;
  tenant_id: string | null;
  request_id: string;
  /** The client's own X-Request-Id (0007), never the id pconn generated. */
  client_request_id: string | null;
  client_id: string | null;
  method: string;
  route: string;
  path: string;
  status: number;
  code: string | null;
  duration_ms: number;
  ip: string | null;
  user_agent: string | null;
  body_digest: string | null;
  body: Json<unknown>;
  problem: Json<unknown>;
  at: Date;
  prev_hash: string;
  hash: string;
}

/** The newest entry of each audit chain, locked while a batch extends it. */
export interface AuditChainHeadsTable {
  chain: string;
  sequence: string | number | bigint;
  hash: string;
}

/** Columns shared by the JSON-document config resources (campaigns, contacts, users …). */
export interface ResourceTable {
  tenant_id: string;
  id: string;
  seq: Generated<string>;
  data: Json<Record<string, unknown>>;
  created_at: CreatedAt;
  updated_at: CreatedAt;
}

/** contacts add a unique external id per tenant. */
export interface ContactsTable extends ResourceTable {
  external_id: string;
}

/** Campaign membership. */
export interface CampaignContactsTable {
  tenant_id: string;
  campaign_id: string;
  contact_id: string;
  added_at: CreatedAt;
}

/** Rows of a bulk import waiting for the import to validate completely. */
export interface ContactImportRowsTable {
  import_id: string;
  tenant_id: string;
  line: number;
  contact_id: string;
  created_at: CreatedAt;
  external_id: string;
  data: Json<Record<string, unknown>>;
}

/** One console user's password hash (scrypt). */
export interface ConsolePasswordsTable {
  tenant_id: string;
  user_id: string;
  hash: string;
  updated_at: Date;
}

/** One signed-in console browser; the cookie's secret is stored as its SHA-256 only. */
export interface ConsoleSessionsTable {
  id: string;
  secret_hash: string;
  tenant_id: string;
  user_id: string;
  role: string;
  created_at: Date;
  expires_at: Date;
  ended_at: Date | null;
}

/** An uploaded prompt, stored as 8 kHz 16-bit mono PCM (little-endian). */
export interface PromptsTable {
  tenant_id: string;
  id: string;
  name: string | null;
  audio: Uint8Array;
  duration_ms: number;
  source: Json<Record<string, unknown>>;
  source_sha256: string;
  created_at: Date;
  updated_at: Date;
}

/** The whole schema as Kysely sees it. */
export interface Database extends CallTables {
  prompts: PromptsTable;
  console_passwords: ConsolePasswordsTable;
  console_sessions: ConsoleSessionsTable;
  tenants: TenantsTable;
  clients: ClientsTable;
  signing_keys: SigningKeysTable;
  audit_events: AuditEventsTable;
  audit_chain_heads: AuditChainHeadsTable;
  campaigns: ResourceTable;
  contacts: ContactsTable;
  users: ResourceTable;
  caller_ids: ResourceTable;
  trunks: ResourceTable;
  webhook_endpoints: ResourceTable;
  campaign_contacts: CampaignContactsTable;
  contact_import_rows: ContactImportRowsTable;
  auth_generation: AuthGenerationTable;
}

/** The database handle. */
export type Db = Kysely<Database>;
/** Anything queries can run on: the database or an open transaction. */
export type Executor = Kysely<Database> | Transaction<Database>;
/** Tables that hold JSON-document resources. */
export type ResourceTableName =
  | 'campaigns'
  | 'contacts'
  | 'users'
  | 'caller_ids'
  | 'trunks'
  | 'webhook_endpoints';

/** calls: one row per requested call; the dialer claims due rows with a lease. */
export interface CallsTable {
  tenant_id: string;
  id: string;
  seq: Generated<string>;
  kind: 'campaign' | 'direct';
  campaign_id: string | null;
  contact_id: string | null;
  requested_user_id: string | null;
  user_id: string | null;
  to_number: string;
  phone_type: string | null;
  caller_id: string | null;
  status: string;
  outcome: string | null;
  reason: string | null;
  metadata: Json<Record<string, unknown>>;
  outside_window: string;
  not_before: Date | null;
  scheduled_for: Date | null;
  next_attempt_at: Date;
  attempts_made: Generated<number>;
  // The table's `decision` column (migration 0002) is not listed: nothing reads it and calls
  // accepted since 2026-12-06 leave it null (call-row-columns.ts says why); a later migration
  // drops it, once no node of an older version writes it.
  sandbox: Generated<boolean>;
  event_sequence: Generated<number>;
  lease_owner: string | null;
  leased_until: Date | null;
  cancel_requested: Generated<boolean>;
  /** Set while the dialer finds no free agent for the call (migration 0007). */
  waiting_for_agent: Generated<boolean>;
  created_at: CreatedAt;
  updated_at: CreatedAt;
  /** W3C traceparent of the creating request (migration 0004); null when tracing is off. */
  trace_context: string | null;
}

/** One dial attempt; written before the dial starts (the dedupe key against double dials). */
export interface CallAttemptsTable {
  tenant_id: string;
  call_id: string;
  n: number;
  user_id: string | null;
  started_at: Date;
  ended_at: Date | null;
  outcome: string | null;
  sip_status: number | null;
  sip_reason: string | null;
  decision: Json<unknown>;
  driver: string;
  /** Media facts (migration 0016), written by recordAttemptMedia; absent on insert. */
  contact_answered_at: LaterFact<Date>;
  analysis: LaterFact<unknown, string>;
  media: LaterFact<unknown, string>;
  abandon_prompt_played_at: LaterFact<Date>;
  machine_message_played_at: LaterFact<Date>;
  agent_connected_at: LaterFact<Date>;
}

/** A nullable column an insert may leave out (filled in later by an update). */
export type LaterFact<Read, Write = Read> = ColumnType<Read | null, Write | null | undefined, Write | null>;

/** The ordered timeline of a call (also the event outbox). */
export interface CallEventsTable {
  id: Generated<string>;
  tenant_id: string;
  /** Null for events about other subjects (migration 0003). */
  call_id: string | null;
  campaign_id: string | null;
  sequence: number;
  type: string;
  at: CreatedAt;
  data: Json<Record<string, unknown>>;
  /** `call`, `campaign` or `webhook_endpoint` (migration 0003). */
  subject_type: Generated<string>;
  /** The subject of a non-call event; null on call events (the subject is call_id). */
  subject_id: string | null;
  /** The writing transaction (xid8, as text): readers follow (txid, id), see migration 0003. */
  txid: Generated<string>;
}

/** Idempotency-Key records (24 h). */
export interface IdempotencyKeysTable {
  tenant_id: string;
  key: string;
  fingerprint: string;
  /** The request's domain outcome (service/calls/accept-outcome.ts), replayed to retries. */
  outcome: Json<unknown>;
  created_at: CreatedAt;
  expires_at: Date;
}

/** The tenant's do-not-call list. */
export interface DncNumbersTable {
  tenant_id: string;
  number: string;
  reason: string | null;
  created_at: CreatedAt;
}

/** Tables added by migration 0002. */
export interface CallTables {
  calls: CallsTable;
  call_attempts: CallAttemptsTable;
  call_events: CallEventsTable;
  idempotency_keys: IdempotencyKeysTable;
  dnc_numbers: DncNumbersTable;
  outbox_cursors: OutboxCursorsTable;
  webhook_deliveries: WebhookDeliveriesTable;
  agent_sessions: AgentSessionsTable;
  call_offer_skips: CallOfferSkipsTable;
}

/** A preview call an agent skipped: not offered to that session again until `until` (migration 0017). */
export interface CallOfferSkipsTable {
  tenant_id: string;
  call_id: string;
  session_id: string;
  until: Date;
}

/** A personal-connection session (migration 0006); the agent's leg lives on `lease_owner`. */
export interface AgentSessionsTable {
  tenant_id: string;
  id: string;
  user_id: string;
  /** Campaigns whose calls the session takes; null = every campaign listing the user. */
  campaign_ids: Json<string[] | null> | null;
  status: string;
  leg_state: Generated<string>;
  current_call_id: string | null;
  calls_handled: Generated<number>;
  lease_owner: string | null;
  leased_until: Date | null;
  end_reason: string | null;
  end_detail: string | null;
  sip_status: number | null;
  started_at: CreatedAt;
  ready_at: Date | null;
  ended_at: Date | null;
  updated_at: CreatedAt;
  /** The agent's state in the dialing cycle (migration 0017, src/domain/agent-state.ts). */
  agent_state: Generated<string>;
  state_since: Date | null;
  state_call_id: Generated<string | null>;
  pause_reason: Generated<string | null>;
  /** A pause asked for during a call: applied when its wrap-up ends. */
  pause_requested: Generated<string | null>;
  wrap_up_until: Generated<Date | null>;
  /** The preview call offered to the agent (state reserved) and until when. */
  offered_call_id: Generated<string | null>;
  offer_expires_at: Generated<Date | null>;
}

/** How far a reader of the event outbox got, as (txid, id) (migration 0003). */
export interface OutboxCursorsTable {
  name: string;
  txid: string;
  event_id: string | number;
}

/** One event to one webhook endpoint: its delivery state and last attempt (migration 0003). */
export interface WebhookDeliveriesTable {
  id: Generated<string>;
  tenant_id: string;
  endpoint_id: string;
  event_id: string | number;
  event_type: string;
  /** Ordering key: `call:<id>`, `campaign:<id>`, … (events of one subject go out in sequence). */
  subject: string;
  sequence: number;
  status: Generated<'pending' | 'delivered' | 'failed'>;
  attempts: Generated<number>;
  /** `attempts` when the current round started (a redelivery restarts the retry schedule). */
  retry_base: Generated<number>;
  next_attempt_at: CreatedAt;
  lease_owner: string | null;
  leased_until: Date | null;
  last_attempt_at: Date | null;
  last_status_code: number | null;
  last_error: string | null;
  last_duration_ms: number | null;
  delivered_at: Date | null;
  created_at: CreatedAt;
}

/** auth_generation: one row (id 1) counting revocations, which every node polls (0012). */
export interface AuthGenerationTable {
  id: number;
  generation: Generated<string>;
}
