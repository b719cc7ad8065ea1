import { PROBLEM_TYPES } from '../../src/api/problem-types.ts';
import { ERROR_CODES, FIELD_ERROR_CODES, type FieldErrorCode } from '../../src/domain/error-codes.ts';
import { GENERATED_NOTICE, tableCell } from './markdown.ts';

/**
 * What each field-level code means. Typed as a full Record, so a code added to
 * FIELD_ERROR_CODES without a line here does not compile (and the docs cannot miss it).
 */
const FIELD_CODE_MEANINGS: Record<FieldErrorCode, string> = {
  required: 'a required member is missing; the pointer says where it belongs',
  unknown_field:
    'a member the schema does not have (schemas are strict); the hint names the right one when it can',
  type: 'the value has the wrong JSON type (e.g. a string where a number belongs)',
  format: 'the value does not have the required format (date-time, URI, id charset, time of day…)',
  enum: 'the value is not one of the allowed values, which the detail lists',
  too_long: 'a string or list is longer than allowed',
  too_short: 'a string or list is shorter than allowed',
  too_small: 'a number is below its minimum',
  too_large: 'a number is above its maximum, or an object is larger than allowed',
  one_of: 'exactly one of several members (or shapes) must be given, e.g. `contactId` or `contact`',
  invalid_phone_number: 'not an E.164 number; the hint carries the E.164 form when one is evident',
  duplicate: 'the value repeats one given earlier in the same request or import',
};

/** docs/errors.md: every problem code with its status, title, cause and fix, and the field codes. */
export function renderErrors(): string {
  const problems = ERROR_CODES.map((code) => {
    const type = PROBLEM_TYPES[code];
    return `| \`${code}\` | ${type.status} | ${tableCell(type.title)} | ${tableCell(type.description)} | ${tableCell(type.fix)} |`;
  });
  const fields = FIELD_ERROR_CODES.map((code) => `| \`${code}\` | ${tableCell(FIELD_CODE_MEANINGS[code])} |`);
  return [
    '# Error reference',
    '',
    GENERATED_NOTICE('src/domain/error-codes.ts and src/api/problem-types.ts'),
    '',
    'Every error pconn answers is an RFC 9457 problem (`application/problem+json`):',
    '`{type, title, status, code, detail, requestId, errors?: [{pointer, code, detail, hint?}], …extensions}`.',
    'Branch on `code` (stable, snake_case), never on `title` or `detail`. `type` is',
    '`<PCONN_PUBLIC_URL>/problems/<code>`, a page on the server with the same text as this one',
    '(`Accept: application/json` gets it as JSON). The order of the checks, the extensions each code',
    'carries and the pointers are specified in [api-contract.md](api-contract.md#errors-rfc-9457-problem-details).',
    '',
    '## Problem codes',
    '',
    '| code | status | title | what happened | how to fix it |',
    '|---|---|---|---|---|',
    ...problems,
    '',
    '## Field error codes',
    '',
    'Each entry of `errors[]` names a `pointer` (RFC 6901, into the request body; `""` is the whole',
    'body), one of these codes, a `detail` and often a `hint`. Imports (`import_rejected`) add the',
    '`line` of each bad row.',
    '',
    '| code | meaning |',
    '|---|---|',
    ...fields,
    '',
    '## OAuth token endpoint',
    '',
    '`POST /oauth/token` answers errors in the RFC 6749 §5.2 shape OAuth client libraries parse',
    '(`{error, error_description}`), not as problems: `invalid_client` (401: unknown client, wrong',
    'secret, revoked client), `invalid_scope` (400: a scope the client does not hold),',
    '`unsupported_grant_type` (400: only `client_credentials`) and `invalid_request` (400: a missing',
    'or repeated parameter).',
    '',
  ].join('\n');
}
