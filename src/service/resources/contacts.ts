import type { Contact, ContactInput } from '../../contract/contacts.ts';
import { closest, FieldErrors } from '../field-errors.ts';
import type { ResourceKind } from './resource-kind.ts';

/** A contact document as stored. */
export interface StoredContact {
  externalId: string;
  name: string | null;
  phoneNumbers: Array<{ phoneType: string; number: string }>;
  timezone: string | null;
  attributes: Record<string, unknown>;
  consent: { status: 'granted' | 'revoked'; source: string | null; at: string } | null;
}

/** Checks the phone types of `phoneNumbers` against the tenant's list, collecting every problem. */
export function checkPhoneTypes(
  errors: FieldErrors,
  phoneNumbers: ReadonlyArray<{ phoneType: string }>,
  allowed: readonly string[],
  pointerBase = '/phoneNumbers',
): void {
  phoneNumbers.forEach((phone, index) => {
    if (allowed.includes(phone.phoneType)) return;
    const near = closest(phone.phoneType, allowed);
    errors.add(
      `${pointerBase}/${index}/phoneType`,
      'enum',
      `'${phone.phoneType}' is not one of this tenant's phone types: ${allowed.join(', ')}.`,
      near
        ? `Did you mean '${near}'? Phone types are managed at PUT /v1/settings/phone-types.`
        : 'Phone types are managed at PUT /v1/settings/phone-types.',
    );
  });
}

/** Builds a stored contact from validated input (shared by the routes and bulk import). */
export function contactFromInput(input: ContactInput, now: Date): StoredContact {
  return {
    externalId: input.externalId,
    name: input.name ?? null,
    phoneNumbers: input.phoneNumbers ?? [],
    timezone: input.timezone ?? null,
    attributes: input.attributes ?? {},
    consent: input.consent
      ? {
          status: input.consent.status,
          source: input.consent.source ?? null,
          at: input.consent.at ?? now.toISOString(),
        }
      : null,
  };
}

/** Contacts: tenant-level, unique `externalId`, numbers typed by the tenant's phone types. */
export const contactKind: ResourceKind<ContactInput, StoredContact, Contact> = {
  name: 'contact',
  table: 'contacts',
  idKind: 'contact',
  toStored(ctx, input) {
    const errors = new FieldErrors();
    checkPhoneTypes(errors, input.phoneNumbers ?? [], ctx.tenant.phoneTypes);
    errors.throwIfAny('The contact has invalid fields.');
    return contactFromInput(input, ctx.now);
  },
  toInput(stored) {
    return {
      externalId: stored.externalId,
      phoneNumbers: stored.phoneNumbers,
      attributes: stored.attributes,
      ...(stored.name !== null ? { name: stored.name } : {}),
      ...(stored.timezone !== null ? { timezone: stored.timezone } : {}),
      ...(stored.consent
        ? {
            consent: {
              status: stored.consent.status,
              at: stored.consent.at,
              ...(stored.consent.source ? { source: stored.consent.source } : {}),
            },
          }
        : {}),
    };
  },
  present(row) {
    return {
      id: row.id,
      ...row.data,
      createdAt: row.createdAt.toISOString(),
      updatedAt: row.updatedAt.toISOString(),
    };
  },
  columns: (stored) => ({ external_id: stored.externalId }),
  uniqueViolation: (stored) => ({
    pointer: '/externalId',
    detail: `Another contact already has externalId '${stored.externalId}'. Use PUT on that contact, or GET /v1/contacts?externalId= to find it.`,
  }),
};
