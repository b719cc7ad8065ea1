import { type CountryCode, isSupportedCountry, parsePhoneNumberFromString } from 'libphonenumber-js/max';

/** The result of checking a phone number against E.164 and libphonenumber's metadata. */
export type PhoneCheck = { ok: true; e164: string } | { ok: false; detail: string; hint?: string };

const E164 = /^\+[1-9][0-9]{1,14}$/;

/**
 * Checks that `value` is a valid E.164 number (leading `+`, valid for its country under
 * libphonenumber's full metadata). When it is not, `hint` carries the E.164 form when one is
 * evident: the same digits with a leading `+`, or the number read in `defaultRegion`.
 */
export function checkPhoneNumber(value: string, defaultRegion?: string): PhoneCheck {
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
