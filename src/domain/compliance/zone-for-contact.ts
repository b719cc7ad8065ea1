import { getTimezonesForCountry } from 'countries-and-timezones';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { BoundedMemo } from '../bounded-memo.ts';
import { nanpAreaCodeZones } from './nanp-area-codes.ts';

/** Where a contact's zones came from. */
export type ZoneSource = 'contact' | 'number_area_code' | 'number_country' | 'campaign_fallback' | 'default';

/** The zone(s) whose local time governs a call, and why. Several zones mean "inside all of them". */
export interface ZoneResolution {
  zones: string[];
  source: ZoneSource;
}

/** Intl's verdict on a zone name, remembered (bounded: zone names come from clients). */
const zoneValidity = new BoundedMemo((zone) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return zone.includes('/') || zone === 'UTC';
  } catch {
    return false;
  }
}, 10_000);

/**
 * True when `zone` is an IANA zone name ("Area/Location", or UTC) this runtime knows. Bare
 * abbreviations and offsets that Intl also accepts ("EST", "+05:00") are refused: they do not
 * follow daylight-saving rules, which is the point of naming a zone.
 */
export function isValidTimeZone(zone: string): boolean {
  return zoneValidity.get(zone);
}

// Australia's geographic numbers carry the region in their first digit.
const AUSTRALIA_BY_DIGIT: Record<string, string[]> = {
  '2': ['Australia/Sydney'],
  '3': ['Australia/Melbourne'],
  '7': ['Australia/Brisbane'],
  '8': ['Australia/Adelaide', 'Australia/Perth', 'Australia/Darwin'],
};

const countryZones = new Map<string, string[]>();
function zonesOfCountry(country: string): string[] {
  let zones = countryZones.get(country);
  if (!zones) {
    const all = (getTimezonesForCountry(country, { deprecated: false }) ?? []).filter(
      (tz) => !tz.aliasOf && isValidTimeZone(tz.name),
    );
    // Prefer zones the country owns (Europe/London for GB); territories sharing another
    // country's zone (Guernsey) take the shared ones.
    const owned = all.filter((tz) => tz.countries[0] === country);
    zones = (owned.length > 0 ? owned : all).map((tz) => tz.name);
    countryZones.set(country, zones);
  }
  return zones;
}

/** The zones a number's country and area code give (null: none). */
function parsedZones(number: string): Readonly<ZoneResolution> | null {
  const parsed = parsePhoneNumberFromString(number);
  if (!parsed) return null;
  const national = String(parsed.nationalNumber);
  if (parsed.countryCallingCode === '1') {
    const byArea = nanpAreaCodeZones(national.slice(0, 3));
    if (byArea) return { zones: byArea, source: 'number_area_code' };
  }
  if (parsed.country === 'AU') {
    const byDigit = AUSTRALIA_BY_DIGIT[national.slice(0, 1)];
    if (byDigit) return { zones: byDigit, source: 'number_area_code' };
  }
  const country = parsed.country;
  const zones = country ? zonesOfCountry(country) : [];
  return zones.length > 0 ? { zones, source: 'number_country' } : null;
}

/** Most numbers whose zones are remembered (numbers come from clients). */
export const NUMBER_ZONES_MEMO_MAX = 10_000;
/**
 * parsedZones, remembered per number: a contact without a time zone is parsed with
 * libphonenumber's full metadata on every call decision otherwise (tens of µs), and the answer
 * depends on the number alone.
 */
const numberZones = new BoundedMemo(parsedZones, NUMBER_ZONES_MEMO_MAX);

/**
 * The zone(s) for a contact: its own `timezone` when set; else from its number — NANP by area
 * code, Australia by region digit, other countries by their zones (several for a multi-zone
 * country, which the caller intersects); else the campaign's fallback; else UTC.
 */
export function zoneForContact(input: {
  timezone: string | null;
  number: string;
  fallbackTimezone: string | null;
}): ZoneResolution {
  if (input.timezone && isValidTimeZone(input.timezone))
    return { zones: [input.timezone], source: 'contact' };
  const byNumber = numberZones.get(input.number);
  if (byNumber) return { zones: byNumber.zones, source: byNumber.source };
  if (input.fallbackTimezone && isValidTimeZone(input.fallbackTimezone))
    return { zones: [input.fallbackTimezone], source: 'campaign_fallback' };
  return { zones: ['UTC'], source: 'default' };
}
