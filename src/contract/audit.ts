import { type Static, Type } from '@sinclair/typebox';
import { Timestamp } from './common.ts';

/** Which chain to read: the caller's tenant's, or the unauthenticated one (`system` scope). */
export const AuditChainParam = Type.Union([Type.Literal('tenant'), Type.Literal('unauthenticated')], {
  default: 'tenant',
  description:
    "`tenant` (default): the caller's tenant's chain. `unauthenticated`: requests that had no usable token (401s, failed token requests), stored in chain `-`; needs the `system` scope.",
});

/** Filters of GET /v1/audit-events. */
export const AuditQuery = Type.Object(
  {
    chain: Type.Optional(AuditChainParam),
    requestId: Type.Optional(
      Type.String({ maxLength: 128, description: 'The X-Request-Id pconn answered with.' }),
    ),
    clientRequestId: Type.Optional(
      Type.String({
        maxLength: 128,
        description: 'The X-Request-Id the client sent (kept beside pconn’s own id, never replacing it).',
      }),
    ),
    status: Type.Optional(Type.Integer({ minimum: 100, maximum: 599 })),
    code: Type.Optional(Type.String({ maxLength: 64 })),
    from: Type.Optional(Timestamp),
    to: Type.Optional(Timestamp),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);

/** The filters of an audit search as values: what the service takes and the SDK sends. */
export type AuditSearchQuery = Static<typeof AuditQuery>;

/** Query of GET /v1/audit-events/head. */
export const AuditHeadQuery = Type.Object(
  { chain: Type.Optional(AuditChainParam) },
  { additionalProperties: false },
);

/** One audit entry, with the chain fields needed to verify it. */
export const AuditEvent = Type.Object({
  requestId: Type.String(),
  clientRequestId: Type.Union([Type.String(), Type.Null()]),
  tenantId: Type.Union([Type.String(), Type.Null()]),
  clientId: Type.Union([Type.String(), Type.Null()]),
  method: Type.String(),
  route: Type.String(),
  path: Type.String(),
  status: Type.Integer(),
  code: Type.Union([Type.String(), Type.Null()]),
  durationMs: Type.Number(),
  ip: Type.Union([Type.String(), Type.Null()]),
  userAgent: Type.Union([Type.String(), Type.Null()]),
  bodyDigest: Type.Union([Type.String(), Type.Null()]),
  body: Type.Unknown(),
  problem: Type.Unknown(),
  at: Type.String(),
  chain: Type.String(),
  sequence: Type.Integer(),
  prevHash: Type.String(),
  hash: Type.String(),
});

/** GET /v1/audit-events/head: the newest link of the caller's chain. */
export const AuditHead = Type.Object({
  chain: Type.String(),
  sequence: Type.Integer(),
  hash: Type.String(),
});
