import { Type } from '@sinclair/typebox';
import { Id, Strict } from './common.ts';

const ScopeName = Type.String({ pattern: '^[a-z:-]{1,40}$' });

/** Body of POST /v1/tenants. */
export const TenantInput = Strict({
  name: Type.String({ minLength: 1, maxLength: 200 }),
  id: Type.Optional(Id),
  defaultRegion: Type.Optional(
    Type.String({ pattern: '^[A-Z]{2}$', description: 'ISO 3166-1 alpha-2, for number hints' }),
  ),
  phoneTypes: Type.Optional(
    Type.Array(Type.String({ pattern: '^[a-z][a-z0-9_-]{0,31}$' }), {
      minItems: 1,
      maxItems: 32,
      uniqueItems: true,
    }),
  ),
});

/** A tenant as pconn answers it. */
export const Tenant = Type.Object({
  id: Type.String(),
  name: Type.String(),
  defaultRegion: Type.String(),
  phoneTypes: Type.Array(Type.String()),
  createdAt: Type.String(),
});

/** Body of POST /v1/clients and /v1/tenants/{id}/clients. */
export const ClientInput = Strict({
  name: Type.String({ minLength: 1, maxLength: 200 }),
  scopes: Type.Array(ScopeName, { minItems: 1, maxItems: 20, uniqueItems: true }),
});

/** A client as listed (no secret). */
export const Client = Type.Object({
  clientId: Type.String(),
  tenantId: Type.String(),
  name: Type.String(),
  scopes: Type.Array(Type.String()),
  status: Type.String(),
  createdAt: Type.String(),
  revokedAt: Type.Union([Type.String(), Type.Null()]),
});

/** A client as created: the secret is shown this once. */
export const CreatedClient = Type.Object({
  clientId: Type.String(),
  clientSecret: Type.String(),
  tenantId: Type.String(),
  name: Type.String(),
  scopes: Type.Array(Type.String()),
});

/** RFC 6749 §5.1 token response. */
export const TokenResponse = Type.Object({
  access_token: Type.String(),
  token_type: Type.Literal('Bearer'),
  expires_in: Type.Integer(),
  scope: Type.String(),
});

/** RFC 6749 §5.2 error response. */
export const OAuthError = Type.Object({
  error: Type.String(),
  error_description: Type.Optional(Type.String()),
});
