import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { contactFirstOf } from '../../src/dialer/contact-first.ts';
import type { StoredCampaign } from '../../src/service/resources/campaigns.ts';

/*
 * The rule the dialer's wiring adds to the pacing controller's (issue 17): only a predictive
 * campaign whose ledger is not restricted dials without reserving an agent; a restricted one
 * reserves like progressive contact-first; agent-first and preview campaigns never dial contact
 * first. (The controller's own properties are in test/domain/pacing.)
 */

test('only unrestricted predictive dials without a reserved agent; agent first stays agent first', () => {
  fc.assert(
    fc.property(
      fc.constantFrom('manual', 'preview', 'progressive', 'predictive', undefined),
      fc.option(fc.boolean(), { nil: undefined }),
      fc.boolean(),
      (dialingMode, agentFirst, restricted) => {
        const campaign = {
          ...(dialingMode ? { dialingMode } : {}),
          ...(agentFirst === undefined ? {} : { agentFirst }),
        } as unknown as StoredCampaign;
        const how = contactFirstOf(campaign, restricted);
        if (how === 'unreserved')
          assert.ok(dialingMode === 'predictive' && !restricted, `${dialingMode} restricted=${restricted}`);
        if (dialingMode === 'predictive')
          assert.equal(how, restricted ? 'reserved' : 'unreserved', 'predictive is always contact first');
        if (dialingMode !== 'predictive' && (agentFirst ?? true))
          assert.equal(how, undefined, `${dialingMode} with the agent first`);
        if ((dialingMode ?? 'progressive') === 'progressive' && agentFirst === false)
          assert.equal(how, 'reserved', 'progressive contact-first reserves its agent');
      },
    ),
  );
  assert.equal(contactFirstOf(null, false), undefined, 'a direct call dials agent first');
});
