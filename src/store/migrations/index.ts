import type { Migration } from 'kysely';
import * as initial from './0001-initial.ts';
import * as calls from './0002-calls.ts';
import * as events from './0003-events.ts';
import * as traceContext from './0004-trace-context.ts';
import * as callsByContact from './0005-calls-by-contact.ts';
import * as agentSessions from './0006-agent-sessions.ts';
import * as idempotentOutcomes from './0007-idempotent-outcomes.ts';
import * as auditClientRequestId from './0008-audit-client-request-id.ts';
import * as sipNonces from './0009-sip-nonces.ts';
import * as importDedupe from './0010-import-dedupe.ts';
import * as authGeneration from './0012-auth-generation.ts';
import * as sipBindings from './0013-sip-bindings.ts';
import * as consoleSignIn from './0014-console-sign-in.ts';
import * as prompts from './0015-prompts.ts';
import * as dialingSettings from './0016-dialing-settings.ts';
import * as agentStates from './0017-agent-states.ts';
import * as payloadStatistics from './0018-payload-statistics.ts';
import * as cancelIndex from './0019-cancel-index.ts';
import * as campaignStateColumns from './0020-campaign-state-columns.ts';
import * as documentsAsJson from './0021-documents-as-json.ts';
import * as callPhase from './0022-call-phase.ts';
import * as logStatistics from './0023-log-statistics.ts';

/**
 * Every migration, in order. Forward-only: a shipped migration is never edited; a change is a
 * new file. Names sort lexically, which is the order Kysely applies them in.
 */
export const MIGRATIONS: Record<string, Migration> = {
  '0001-initial': initial,
  '0002-calls': calls,
  '0003-events': events,
  '0004-trace-context': traceContext,
  '0005-calls-by-contact': callsByContact,
  '0006-agent-sessions': agentSessions,
  '0007-idempotent-outcomes': idempotentOutcomes,
  '0008-audit-client-request-id': auditClientRequestId,
  '0009-sip-nonces': sipNonces,
  '0010-import-dedupe': importDedupe,
  '0012-auth-generation': authGeneration,
  '0013-sip-bindings': sipBindings,
  '0014-console-sign-in': consoleSignIn,
  '0015-prompts': prompts,
  '0016-dialing-settings': dialingSettings,
  '0017-agent-states': agentStates,
  '0018-payload-statistics': payloadStatistics,
  '0019-cancel-index': cancelIndex,
  '0020-campaign-state-columns': campaignStateColumns,
  '0021-documents-as-json': documentsAsJson,
  '0022-call-phase': callPhase,
  '0023-log-statistics': logStatistics,
};
