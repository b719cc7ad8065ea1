import { Type } from '@sinclair/typebox';

/** One entry of `errors[]`. */
export const FieldErrorSchema = Type.Object({
  pointer: Type.String({ description: 'RFC 6901 JSON pointer into the request body ("" = whole body)' }),
  code: Type.String(),
  detail: Type.String(),
  hint: Type.Optional(Type.String()),
  line: Type.Optional(Type.Integer({ description: 'Bulk imports: 1-based input line' })),
});

/** RFC 9457 problem details as pconn writes them. */
export const ProblemSchema = Type.Object(
  {
    type: Type.String({ format: 'uri' }),
    title: Type.String(),
    status: Type.Integer(),
    code: Type.String(),
    detail: Type.String(),
    requestId: Type.String(),
    instance: Type.Optional(Type.String()),
    pointer: Type.Optional(Type.String()),
    errors: Type.Optional(Type.Array(FieldErrorSchema)),
    errorCount: Type.Optional(
      Type.Integer({
        minimum: 0,
        description:
          'Schema failures: how many problems were found in all; errors[] lists the first 100 of them',
      }),
    ),
  },
  { additionalProperties: true, $id: 'Problem', description: 'RFC 9457 problem details' },
);
