import { type CountryCode, isSupportedCountry, parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { BoundedMemo } from './bounded-memo.ts';

/** The result of checking a phone number against E.164 and libphonenumber's metadata. */
export type PhoneCheck = { ok: true; e164: string } | { ok: false; detail: string; hint?: string };

const E164 = /^\+[1-9][0-9]{1,14}$/;

/** Most answers remembered per default region (numbers come from clients: BoundedMemo). */
export const PHONE_CHECK_MEMO_MAX = 10_000;
/** Longer values are checked but not remembered: no phone number is near it. */
const MEMO_MAX_LENGTH = 64;
/** The memo of each default region ('' for none); regions are tenants' settings, a handful. */
const checked = new Map<string, BoundedMemo<Readonly<PhoneCheck>>>();

/**
 * Checks that `value` is a valid E.164 number (leading `+`, valid for its country under
 * libphonenumber's full metadata). When it is not, `hint` carries the E.164 form when one is
 * evident: the same digits with a leading `+`, or the number read in `defaultRegion`.
 *
 * The answer depends on nothing but its two inputs (the metadata is built in), so it is
 * remembered: parsing with the full metadata costs tens of µs, and the same numbers (agents'
 * phones, caller ids, a contact called again) come back request after request. Answers are
 * frozen: they are shared.
 */
export function checkPhoneNumber(value: string, defaultRegion?: string): Readonly<PhoneCheck> {
  // Any length can arrive in a body: a long value is answered, not kept (nor frozen: it is its own).
  if (value.length > MEMO_MAX_LENGTH) return uncachedCheck(value, defaultRegion);
  const region = defaultRegion ?? '';
  let memo = checked.get(region);
  if (!memo) {
    memo = new BoundedMemo(
      (number) => Object.freeze(uncachedCheck(number, defaultRegion)),
      PHONE_CHECK_MEMO_MAX,
      MEMO_MAX_LENGTH,
    );
    checked.set(region, memo);
  }
  return memo.get(value);
}

function uncachedCheck(value: string, defaultRegion: string | undefined): PhoneCheck {
  const trimmed = value.trim();
  if (E164.test(trimmed)) {
    const parsed = parsePhoneNumberFromString(trimmed);
    if (parsed?.isValid()) return { ok: true, e164: parsed.number };
    const where = parsed?.country ?? (parsed ? `country code +${parsed.countryCallingCode}` : undefined);
    return {
      ok: false,
      detail: where
        ? `'${value}' is not a valid phone number for ${where}.`
        : `'${value}' is not a valid phone number: no country uses that code and length.`,
    };
  }
  const hint = suggestE164(trimmed, defaultRegion);
  if (trimmed.startsWith('+')) {
    return {
      ok: false,
      detail: `'${value}' is not in E.164 form: a '+', the country code and the number, digits only.`,
      ...(hint ? { hint: `Did you mean '${hint}'?` } : {}),
    };
  }
  return {
    ok: false,
    detail: `'${value}' has no leading '+': numbers must be in E.164 form (e.g. +14155550123).`,
    ...(hint ? { hint: `Did you mean '${hint}'?` } : {}),
  };
}

/** The E.164 form a malformed number most likely meant, if exactly one is evident. */
export function suggestE164(value: string, defaultRegion?: string): string | undefined {
  const digits = value.replace(/[^0-9]/g, '');
  if (digits.length === 0) return undefined;
  const international = parsePhoneNumberFromString(`+${digits.replace(/^00/, '')}`);
  if (international?.isValid()) return international.number;
  if (defaultRegion && isSupportedCountry(defaultRegion)) {
    const national = parsePhoneNumberFromString(value, defaultRegion as CountryCode);
    if (national?.isValid()) return national.number;
  }
  return undefined;
}
