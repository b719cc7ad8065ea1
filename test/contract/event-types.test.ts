// The dialing-mode and answer-detection event names are in the catalogue, and webhook endpoints
// may filter on each of them (exactly, or by their family).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { bodyAjv } from '../../src/api/ajv-instances.ts';
import { EVENT_TYPES } from '../../src/contract/events.ts';
import { WebhookInput } from '../../src/contract/telephony-config.ts';

const NEW_TYPES = [
  'call.analysis',
  'call.abandoned',
  'call.offered',
  'agent.state_changed',
  'campaign.pacing_restricted',
  'campaign.stats',
];

describe('event catalogue', () => {
  test('the dialing-mode event types are catalogued', () => {
    for (const type of NEW_TYPES) assert.ok((EVENT_TYPES as readonly string[]).includes(type), type);
  });

  test('a webhook endpoint may filter on every catalogued type and family', () => {
    const validate = bodyAjv.compile(WebhookInput);
    const families = [...new Set(EVENT_TYPES.map((type) => `${type.split('.')[0]}.*`))];
    const body = { url: 'https://crm.example/pconn', events: [...EVENT_TYPES, ...families] };
    assert.equal(validate(body), true, JSON.stringify(validate.errors));
  });
});
