import type { ErrorCode } from '../domain/error-codes.ts';

/** How one problem code is answered and documented. */
export interface ProblemType {
  status: number;
  title: string;
  /** What happened, for the /problems/<code> page. */
  description: string;
  /** What the client should do about it. */
  fix: string;
}

/**
 * The single mapping from problem code to HTTP status and title. Typed as a full Record, so a
 * code added to ERROR_CODES without an entry here does not compile.
 */
export const PROBLEM_TYPES: Record<ErrorCode, ProblemType> = {
  invalid_json: {
    status: 400,
    title: 'Malformed JSON',
    description: 'The request body is not valid JSON.',
    fix: 'Send a single JSON value; the detail names the position of the syntax error.',
  },
  unsupported_media_type: {
    status: 415,
    title: 'Unsupported media type',
    description: 'The body is not in a media type this route accepts.',
    fix: 'Send Content-Type: application/json (imports: text/csv or application/x-ndjson; prompts: audio/wav).',
  },
  unsupported_audio: {
    status: 422,
    title: 'Unsupported audio',
    description:
      'The uploaded prompt is not audio pconn can play: not a WAV file, a WAV format other than PCM 16-bit or G.711, more than one channel, or too short.',
    fix: 'Convert it, e.g. `sox in.mp3 -r 8000 -c 1 -b 16 out.wav`, and upload the WAV; the detail names what was found.',
  },
  payload_too_large: {
    status: 413,
    title: 'Payload too large',
    description: 'The request body exceeds the size limit.',
    fix: 'Send a smaller body; bulk data goes through the import routes.',
  },
  invalid_request: {
    status: 400,
    title: 'Invalid request',
    description: 'The request does not match the schema of the route.',
    fix: 'Fix every field listed in errors[]: each has a JSON pointer, a code, a detail and often a hint.',
  },
  malformed_request: {
    status: 400,
    title: 'Malformed HTTP request',
    description:
      'The request is not valid HTTP/1.1 (request line, header syntax, Content-Length or chunked framing), so it was not routed.',
    fix: 'Fix the client or proxy that builds the request; the connection is closed after this answer.',
  },
  headers_too_large: {
    status: 431,
    title: 'Request headers too large',
    description: 'The request line and headers together exceed the server’s header size limit (16 KiB).',
    fix: 'Send fewer or shorter headers (large cookies or tokens are the usual cause); the connection is closed after this answer.',
  },
  request_timeout: {
    status: 408,
    title: 'Request timeout',
    description:
      'The headers or the body did not arrive within the server’s time limits (PCONN_HTTP_HEADERS_TIMEOUT_MS, PCONN_HTTP_REQUEST_TIMEOUT_MS).',
    fix: 'Send the whole request promptly; retry on a new connection. Large imports must finish uploading within the request timeout.',
  },
  method_not_allowed: {
    status: 405,
    title: 'Method not allowed',
    description: 'The path exists, but not with this HTTP method.',
    fix: 'Use one of the methods in the Allow header (also listed in allowedMethods).',
  },
  expectation_failed: {
    status: 417,
    title: 'Expectation failed',
    description:
      'The request carries an Expect header other than 100-continue, which pconn does not support.',
    fix: 'Remove the Expect header (or send Expect: 100-continue).',
  },
  missing_token: {
    status: 401,
    title: 'Missing access token',
    description: 'No bearer token was sent.',
    fix: 'Get a token from POST /oauth/token (client credentials) and send Authorization: Bearer <token>.',
  },
  invalid_token: {
    status: 401,
    title: 'Invalid access token',
    description: 'The bearer token is malformed, expired, revoked or from an untrusted issuer.',
    fix: 'Request a new token; the detail says why this one was refused.',
  },
  invalid_credentials: {
    status: 401,
    title: 'Sign-in failed',
    description:
      'The console sign-in named an unknown or disabled user, a wrong password, or a user without a console password.',
    fix: 'Check the user id and password; an admin sets passwords with POST /v1/users/{id}/password or `pconn users set-password`.',
  },
  console_session_required: {
    status: 401,
    title: 'Console session required',
    description: 'The request carries no console session cookie, or its session ended or expired.',
    fix: 'Sign in again with POST /console/session.',
  },
  cross_site_request: {
    status: 403,
    title: 'Cross-site request refused',
    description:
      "A console session request came from another site (its Origin is not pconn's own) or without the X-Pconn-Console header.",
    fix: 'Call the console session endpoints from the console itself (same origin), with the header X-Pconn-Console: 1.',
  },
  insufficient_scope: {
    status: 403,
    title: 'Insufficient scope',
    description: 'The token does not carry the scope this route needs.',
    fix: 'Request a token with the scope in requiredScopes (the client must hold it).',
  },
  not_found: {
    status: 404,
    title: 'Not found',
    description: 'The resource in the path does not exist in your tenant.',
    fix: 'Check the id; resources of other tenants are never visible.',
  },
  conflict: {
    status: 409,
    title: 'Conflict',
    description: 'The request conflicts with existing data (e.g. a duplicate externalId).',
    fix: 'Read the detail and pointer; update the existing resource instead.',
  },
  campaign_not_dialable: {
    status: 409,
    title: 'Campaign not dialable',
    description: 'The campaign is not running or scheduled, or does not allow API calls.',
    fix: 'Start or resume the campaign (POST /v1/campaigns/{id}/start|resume) or set allowApiCalls: true.',
  },
  invalid_transition: {
    status: 409,
    title: 'Invalid campaign transition',
    description: 'The campaign cannot move from its current status with this action.',
    fix: 'See from, to and allowedActions in the problem.',
  },
  idempotency_in_flight: {
    status: 409,
    title: 'Idempotent request in flight',
    description: 'A request with the same Idempotency-Key is still being processed.',
    fix: 'Retry after a moment; you will get the first request’s response.',
  },
  idempotency_key_reused: {
    status: 422,
    title: 'Idempotency key reused',
    description: 'The Idempotency-Key was used with a different request body or route.',
    fix: 'Use a new key for a different request.',
  },
  contact_not_found: {
    status: 422,
    title: 'Contact not found',
    description: 'The contactId does not exist in your tenant.',
    fix: 'Create the contact, or pass it inline as contact: { externalId, phoneNumbers }.',
  },
  contact_not_in_campaign: {
    status: 422,
    title: 'Contact not in campaign',
    description: 'The contact exists but is not a member of the campaign.',
    fix: 'Add it with POST /v1/campaigns/{id}/contacts, or pass contact inline (added automatically).',
  },
  phone_type_not_on_contact: {
    status: 422,
    title: 'Phone type not on contact',
    description: 'The contact has no number of the requested phoneType.',
    fix: 'Use one of availablePhoneTypes, or add the number to the contact.',
  },
  user_not_found: {
    status: 422,
    title: 'User not found',
    description: 'The userId does not exist in your tenant.',
    fix: 'Check the id, or omit userId to use the next available agent.',
  },
  user_unavailable: {
    status: 422,
    title: 'User unavailable',
    description: 'The user is disabled or not assigned to the campaign.',
    fix: 'Activate or assign the user, or omit userId.',
  },
  user_disabled: {
    status: 409,
    title: 'User disabled',
    description: 'The user in the path is disabled, so no personal-connection session can start for them.',
    fix: 'Set the user’s status to active (PATCH /v1/users/{id} { "status": "active" }), then retry.',
  },
  campaign_not_found: {
    status: 422,
    title: 'Campaign not found',
    description: 'A campaign id in the request body does not exist in your tenant.',
    fix: 'Fix or remove the ids listed in errors[] (each with its pointer); GET /v1/campaigns lists yours.',
  },
  campaign_has_no_agents: {
    status: 422,
    title: 'Campaign has no agents',
    description:
      'The call would wait for the campaign’s next agent, but none of its agentIds names an active user, so it could never be dialled.',
    fix: 'Add agents to the campaign (PUT /v1/campaigns/{id} with agentIds of active users), or pass userId to call through one user.',
  },
  caller_id_not_verified: {
    status: 422,
    title: 'Caller id not verified',
    description: 'The caller id is not a verified caller id of your tenant.',
    fix: 'Verify it with PUT /v1/caller-ids/{e164} { "verified": true } (admin scope).',
  },
  call_blocked: {
    status: 422,
    title: 'Call blocked',
    description: 'Compliance rules refuse this call (DNC, consent, attempt cap).',
    fix: 'See decision.rules for the rule that failed.',
  },
  outside_calling_window: {
    status: 422,
    title: 'Outside calling window',
    description: "The contact's local time is outside the campaign's calling window.",
    fix: "Retry at nextAllowedAt, or send outsideWindow: 'schedule' to queue the call for then.",
  },
  import_rejected: {
    status: 422,
    title: 'Import rejected',
    description: 'Some rows of the import are invalid, so nothing was imported.',
    fix: 'Fix the rows listed in errors[] (each with its line) and import the file again.',
  },
  rate_limited: {
    status: 429,
    title: 'Too many requests',
    description:
      'The client exceeded its request rate, or already holds as many open event streams (GET /v1/events) as one client may.',
    fix: 'Wait for Retry-After seconds before retrying; for event streams, close one you no longer read.',
  },
  internal: {
    status: 500,
    title: 'Internal error',
    description: 'pconn failed unexpectedly; nothing about your request is known to be wrong.',
    fix: 'Retry later; quote the requestId to your operator.',
  },
  unavailable: {
    status: 503,
    title: 'Service unavailable',
    description: 'pconn cannot serve requests right now (database unreachable, shutting down).',
    fix: 'Retry after Retry-After seconds.',
  },
  client_closed_request: {
    status: 499,
    title: 'Client closed request',
    description:
      'The client closed the connection before its import body had fully arrived (no one reads this answer: it is what the audit trail records). Nothing was imported; the rows already staged were discarded at once.',
    fix: 'Send the whole file again; imports are all-or-nothing and upsert by externalId, so a repeat is safe.',
  },
  prompt_not_found: {
    status: 422,
    title: 'Prompt not found',
    description:
      'A prompt id in the request body (abandonPromptId, machinePromptId) does not exist in your tenant.',
    fix: 'Upload the prompt first (PUT /v1/prompts/{id} with the WAV file), or name one GET /v1/prompts lists; errors[] points at each field.',
  },
  prompt_required: {
    status: 422,
    title: 'Prompt required',
    description:
      'The campaign’s settings need a prompt they do not name: a predictive campaign under a jurisdiction that requires an abandon message (us_fcc, uk_ofcom) needs abandonPromptId, and answerDetection.machineAction leave_message needs machinePromptId.',
    fix: 'Upload the message (PUT /v1/prompts/{id}) and name it in the field errors[] points at, or change the mode or machine action.',
  },
  prompt_in_use: {
    status: 409,
    title: 'Prompt in use',
    description: 'The prompt cannot be deleted while campaigns name it as their abandon or machine prompt.',
    fix: 'Point the campaigns listed in campaignIds at another prompt (or null), then delete it.',
  },
  abandon_rate_above_cap: {
    status: 422,
    title: 'Abandon rate above cap',
    description:
      'pacing.abandonRateTarget is above the cap of the campaign’s jurisdiction (3 % for us_fcc and uk_ofcom).',
    fix: 'Lower pacing.abandonRateTarget to at most the cap, or omit it for the 0.03 default.',
  },
  no_offer: {
    status: 404,
    title: 'No offer',
    description:
      'The agent session has no preview call offered to its agent right now (none yet, or it was accepted and is being dialled, skipped or expired).',
    fix: 'Wait for the next call.offered event of the session, or read the session’s state.',
  },
};
