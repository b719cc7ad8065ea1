import { type Static, Type } from '@sinclair/typebox';
import { Id, JsonObject, PhoneNumber, Strict, Timestamp, TimeZone } from './common.ts';

/** One of a contact's numbers. */
export const ContactPhone = Strict({
  phoneType: Type.String({ minLength: 1, maxLength: 32, description: "One of the tenant's phone types" }),
  number: PhoneNumber,
});

/** A contact's consent to be called. */
export const Consent = Strict({
  status: Type.Union([Type.Literal('granted'), Type.Literal('revoked')]),
  source: Type.Optional(Type.String({ maxLength: 200 })),
  at: Type.Optional(Timestamp),
});

/** Fields a client sets on a contact. */
export const ContactInput = Strict({
  externalId: Type.String({ minLength: 1, maxLength: 128 }),
  name: Type.Optional(Type.String({ maxLength: 200 })),
  phoneNumbers: Type.Optional(Type.Array(ContactPhone, { maxItems: 20 })),
  timezone: Type.Optional(Type.Union([TimeZone, Type.Null()])),
  attributes: Type.Optional(JsonObject),
  consent: Type.Optional(Type.Union([Consent, Type.Null()])),
});
/** A contact as written by a client. */
export type ContactInput = Static<typeof ContactInput>;

/** A contact as pconn answers it. */
export const Contact = Type.Object({
  id: Id,
  externalId: Type.String(),
  name: Type.Union([Type.String(), Type.Null()]),
  phoneNumbers: Type.Array(Type.Object({ phoneType: Type.String(), number: Type.String() })),
  timezone: Type.Union([Type.String(), Type.Null()]),
  attributes: Type.Object({}, { additionalProperties: true }),
  consent: Type.Union([
    Type.Object({
      status: Type.String(),
      source: Type.Union([Type.String(), Type.Null()]),
      at: Type.String(),
    }),
    Type.Null(),
  ]),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});
/** A contact as pconn answers it. */
export type Contact = Static<typeof Contact>;

/** Body of POST /v1/campaigns/{id}/contacts. */
export const MembershipInput = Strict({
  contactIds: Type.Array(Id, { minItems: 1, maxItems: 1000, uniqueItems: true }),
});

/** Result of an import. */
export const ImportResult = Type.Object({
  rows: Type.Integer(),
  created: Type.Integer(),
  updated: Type.Integer(),
  addedToCampaign: Type.Integer(),
});

/** The tenant's phone types. */
export const PhoneTypes = Strict({
  phoneTypes: Type.Array(Type.String({ pattern: '^[a-z][a-z0-9_-]{0,31}$' }), {
    minItems: 1,
    maxItems: 32,
    uniqueItems: true,
  }),
});
