import { type TSchema, Type } from '@sinclair/typebox';

/** Id of a resource: client-chosen or server-generated (shared/api-contract.md). */
export const Id = Type.String({
  pattern: '^[A-Za-z0-9._:-]{1,128}$',
  description: 'Resource id, [A-Za-z0-9._:-]{1,128}',
});

/** A phone number in E.164 form, validated against libphonenumber metadata. */
export const PhoneNumber = Type.String({
  format: 'e164',
  description: 'E.164 phone number with a leading +, e.g. +14155550123',
  examples: ['+14155550123'],
});

/** An IANA time zone name, e.g. America/New_York. */
export const TimeZone = Type.String({ format: 'iana-time-zone', description: 'IANA time zone name' });

/** An RFC 3339 timestamp. */
export const Timestamp = Type.String({ format: 'date-time' });

/** A local wall-clock time HH:MM. */
export const LocalTime = Type.String({
  pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$',
  description: 'HH:MM, 24 h',
});

/** Free-form JSON object. */
export const JsonObject = Type.Record(Type.String(), Type.Unknown());

/** Path parameters `{id}`. */
export const IdParams = Type.Object({ id: Id });

/** Query of list routes. */
export const ListQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
    cursor: Type.Optional(Type.String({ maxLength: 200, description: 'Opaque cursor from nextCursor' })),
  },
  { additionalProperties: false },
);

/** `{ data, nextCursor }` envelope of every list. */
export function ListOf<T extends TSchema>(item: T) {
  return Type.Object({
    data: Type.Array(item),
    nextCursor: Type.Union([Type.String(), Type.Null()]),
  });
}

/** A strict object schema: unknown members are rejected. */
export function Strict<T extends Parameters<typeof Type.Object>[0]>(properties: T, description?: string) {
  return Type.Object(properties, { additionalProperties: false, ...(description ? { description } : {}) });
}
