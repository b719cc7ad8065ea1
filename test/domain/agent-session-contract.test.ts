import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TSchema } from '@sinclair/typebox';
import { AgentSession } from '../../src/contract/agent-sessions.ts';
import {
  AGENT_LEG_STATES,
  AGENT_SESSION_STATUSES,
  SESSION_END_REASONS,
} from '../../src/domain/agent-session-status.ts';

/** The literal values of a (possibly nullable) union of literals. */
function literalsOf(schema: TSchema): string[] {
  const members = (schema.anyOf ?? [schema]) as TSchema[];
  return members.flatMap((member) =>
    member.anyOf ? literalsOf(member) : typeof member.const === 'string' ? [member.const] : [],
  );
}

// The wire contract may not import the domain (test/architecture.test.ts), so it spells the
// session's enums out again: this keeps the two lists from drifting apart.
test('the session contract lists exactly the domain statuses, leg states and end reasons', () => {
  const properties = AgentSession.properties as Record<string, TSchema>;
  assert.deepEqual(literalsOf(properties.status as TSchema).sort(), [...AGENT_SESSION_STATUSES].sort());
  const leg = (properties.agentLeg as TSchema).properties as Record<string, TSchema>;
  assert.deepEqual(literalsOf(leg.state as TSchema).sort(), [...AGENT_LEG_STATES].sort());
  assert.deepEqual(literalsOf(properties.endReason as TSchema).sort(), [...SESSION_END_REASONS].sort());
});
