import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CallPlan } from '../../../src/service/calls/call-plan.ts';
import { decideFromFacts } from '../../../src/service/calls/decide.ts';
import { ACTIVE_AGENTS_COUNTED } from '../../../src/store/calls/load-campaign-call-facts.ts';

const plan = (activeAgents: number | null): CallPlan => ({
  kind: 'campaign',
  campaignId: 'spring',
  campaignStatus: 'running',
  contactId: 'c-1',
  toNumber: '+12125550100',
  phoneType: 'mobile',
  requestedUserId: null,
  callerId: '+14155550100',
  reason: null,
  metadata: {},
  notBefore: null,
  outsideWindow: 'schedule',
  window: { start: '00:00', end: '00:00' },
  contactTimezone: 'UTC',
  fallbackTimezone: null,
  consent: null,
  maxAttempts: 3,
  minRedialGapSeconds: 0,
  activeAgents,
});

const agentsRule = (activeAgents: number | null) =>
  decideFromFacts(plan(activeAgents), new Date('2026-12-06T12:00:00Z'), {
    attempts: 0,
    lastEndedAt: null,
    onDnc: false,
  }).rules.find((rule) => rule.rule === 'agents');

test('the agents rule says how many active agents can take the call, and "or more" where counting stopped', () => {
  assert.equal(agentsRule(1)?.detail, '1 active agent can take the call.');
  assert.equal(agentsRule(7)?.detail, '7 active agents can take the call.');
  assert.equal(
    agentsRule(ACTIVE_AGENTS_COUNTED)?.detail,
    `${ACTIVE_AGENTS_COUNTED} or more active agents can take the call.`,
  );
  assert.equal(agentsRule(0)?.result, 'fail');
  assert.equal(agentsRule(null), undefined);
});
