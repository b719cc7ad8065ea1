/** Every top-level problem code pconn answers with (shared/api-contract.md, "Errors"). */
export const ERROR_CODES = [
  'invalid_json',
  'unsupported_media_type',
  'payload_too_large',
  'invalid_request',
  'malformed_request',
  'headers_too_large',
  'request_timeout',
  'method_not_allowed',
  'expectation_failed',
  'missing_token',
  'invalid_token',
  'insufficient_scope',
  'not_found',
  'conflict',
  'campaign_not_dialable',
  'invalid_transition',
  'idempotency_in_flight',
  'idempotency_key_reused',
  'contact_not_found',
  'contact_not_in_campaign',
  'phone_type_not_on_contact',
  'user_not_found',
  'user_unavailable',
  'user_disabled',
  'campaign_not_found',
  'caller_id_not_verified',
  'campaign_has_no_agents',
  'call_blocked',
  'outside_calling_window',
  'import_rejected',
  'rate_limited',
  'internal',
  'unavailable',
  'client_closed_request',
  'invalid_credentials',
  'console_session_required',
  'cross_site_request',
  'unsupported_audio',
  'prompt_not_found',
  'prompt_required',
  'prompt_in_use',
  'abandon_rate_above_cap',
  'no_offer',
] as const;

/** A stable, snake_case problem code. */
export type ErrorCode = (typeof ERROR_CODES)[number];

/** Codes used inside `errors[]` for field-level problems. */
export const FIELD_ERROR_CODES = [
  'required',
  'unknown_field',
  'type',
  'format',
  'enum',
  'too_long',
  'too_short',
  'too_small',
  'too_large',
  'one_of',
  'invalid_phone_number',
  'duplicate',
] as const;

/** A field-level problem code. */
export type FieldErrorCode = (typeof FIELD_ERROR_CODES)[number];
