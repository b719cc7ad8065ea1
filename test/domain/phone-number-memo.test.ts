import assert from 'node:assert/strict';
import { test } from 'node:test';
import { zoneForContact } from '../../src/domain/compliance/zone-for-contact.ts';
import { checkPhoneNumber } from '../../src/domain/phone-number.ts';

// Both answers are remembered per input (parsing with the full metadata is the costly part);
// what is remembered must be keyed by everything the answer depends on, and nothing else.

test('a remembered number check answers per default region, as the first check did', () => {
  const national = '07911 123456'; // a UK mobile written nationally
  const asUs = checkPhoneNumber(national, 'US');
  const asGb = checkPhoneNumber(national, 'GB');
  assert.equal(asUs.ok, false, 'not E.164');
  assert.equal(!asUs.ok && asUs.hint, undefined, 'no evident E.164 form in the US');
  assert.equal(!asGb.ok && asGb.hint, "Did you mean '+447911123456'?", 'read in the tenant’s region (GB)');
  assert.deepEqual(checkPhoneNumber(national), { ...asUs }, 'no region: no hint either');
  assert.deepEqual(checkPhoneNumber(national, 'GB'), asGb, 'the same answer again');
  assert.deepEqual(checkPhoneNumber('+14155550123'), { ok: true, e164: '+14155550123' });
  assert.deepEqual(checkPhoneNumber(' +14155550123 '), { ok: true, e164: '+14155550123' }, 'trimmed');
  assert.equal(checkPhoneNumber('+1415555012').ok, false, 'a digit short');
  assert.ok(Object.isFrozen(checkPhoneNumber('+14155550123')), 'shared answers cannot be changed');
  // Any length can arrive in a body: a long value is answered but never kept (kept ones are frozen).
  const long = checkPhoneNumber(`+1${'5'.repeat(200)}`);
  assert.equal(long.ok, false, 'far too long');
  assert.ok(!Object.isFrozen(long), 'not remembered');
});

test('a number’s remembered zones never replace the contact’s own zone or another campaign’s fallback', () => {
  const nanp = { timezone: null, number: '+12125550123', fallbackTimezone: 'Europe/Paris' };
  assert.deepEqual(zoneForContact(nanp), { zones: ['America/New_York'], source: 'number_area_code' });
  assert.deepEqual(
    zoneForContact(nanp),
    { zones: ['America/New_York'], source: 'number_area_code' },
    'again',
  );
  assert.deepEqual(
    zoneForContact({ ...nanp, timezone: 'America/Chicago' }),
    { zones: ['America/Chicago'], source: 'contact' },
    'the contact’s zone still wins',
  );
  assert.deepEqual(zoneForContact({ timezone: null, number: '+61398765432', fallbackTimezone: null }), {
    zones: ['Australia/Melbourne'],
    source: 'number_area_code',
  });
  // No zone from this number: the fallback is the campaign's, whichever campaign asks.
  const unknown = { timezone: null, number: '+999123', fallbackTimezone: 'Europe/Paris' };
  assert.deepEqual(zoneForContact(unknown), { zones: ['Europe/Paris'], source: 'campaign_fallback' });
  assert.deepEqual(zoneForContact({ ...unknown, fallbackTimezone: 'Asia/Tokyo' }), {
    zones: ['Asia/Tokyo'],
    source: 'campaign_fallback',
  });
  assert.deepEqual(zoneForContact({ ...unknown, fallbackTimezone: null }), {
    zones: ['UTC'],
    source: 'default',
  });
  const first = zoneForContact(nanp);
  first.zones = ['Asia/Tokyo'];
  assert.deepEqual(zoneForContact(nanp).zones, ['America/New_York'], 'a caller’s change is not remembered');
});
