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

/** The whole schema as Kysely sees it. */
export interface Database {
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
}

/** The database handle. */
export type Db = Kysely<Database>;
/** Anything queries can run on: the database or an open transaction. */
export type Executor = Kysely<Database> | Transaction<Database>;
/** Tables that hold JSON-document resources. */
export type ResourceTableName = 'campaigns' | 'contacts' | 'users' | 'caller_ids' | 'trunks' | 'webhook_endpoints';
