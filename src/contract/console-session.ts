import { type Static, Type } from '@sinclair/typebox';
import { Id, Strict } from './common.ts';

/** Body of POST /console/session: who signs in. */
export const ConsoleSignInInput = Strict({
  tenant: Type.Optional(Id),
  user: Id,
  password: Type.String({ minLength: 1, maxLength: 128, description: 'write-only; never echoed' }),
});
/** A console sign-in as sent by the browser. */
export type ConsoleSignInInput = Static<typeof ConsoleSignInInput>;

/** What a console session answers: who is signed in and an access token for the public API. */
export const ConsoleSession = Type.Object({
  user: Type.Object({
    id: Type.String(),
    name: Type.String(),
    role: Type.Union([Type.Literal('agent'), Type.Literal('supervisor'), Type.Literal('admin')]),
  }),
  tenantId: Type.String(),
  accessToken: Type.String({ description: 'Bearer token for /v1 (the role’s scopes)' }),
  tokenType: Type.Literal('Bearer'),
  expiresIn: Type.Integer({ description: 'Seconds the access token lives' }),
  scope: Type.String(),
});
/** A console session as answered. */
export type ConsoleSession = Static<typeof ConsoleSession>;
