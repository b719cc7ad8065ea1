import { Ajv, type Options } from 'ajv';
import addFormatsPlugin from 'ajv-formats';
import { isValidTimeZone } from '../domain/compliance/zone-for-contact.ts';
import { checkPhoneNumber } from '../domain/phone-number.ts';

// ajv-formats is CommonJS with a `default` property; under NodeNext the default import is the module.
type AddFormats = (ajv: Ajv, formats: string[]) => Ajv;
const addFormats = ((addFormatsPlugin as unknown as { default?: AddFormats }).default ??
  (addFormatsPlugin as unknown as AddFormats)) as AddFormats;

function withFormats(options: Options): Ajv {
  const ajv = new Ajv({ strict: false, allErrors: true, verbose: true, ...options });
  addFormats(ajv, ['date-time', 'uri', 'email']);
  ajv.addFormat('e164', { type: 'string', validate: (value: string) => checkPhoneNumber(value).ok });
  ajv.addFormat('iana-time-zone', { type: 'string', validate: isValidTimeZone });
  return ajv;
}

/**
 * Bodies are validated strictly: no type coercion, every error reported (allErrors), and
 * verbose errors so the mapper can see the failing schema (for "did you mean" hints).
 */
export const bodyAjv = withFormats({ coerceTypes: false, useDefaults: false, removeAdditional: false });

/** Query strings and path parameters arrive as text, so those are coerced ("50" → 50). */
export const parameterAjv = withFormats({ coerceTypes: 'array', useDefaults: true, removeAdditional: false });
