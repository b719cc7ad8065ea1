import { type Static, Type } from '@sinclair/typebox';
import { Id, PhoneNumber, Strict } from './common.ts';

/** Where an agent is rung: a SIP URI, a phone number through a trunk, or a registered softphone. */
export const Device = Type.Union(
  [
    Strict({ type: Type.Literal('sip'), uri: Type.String({ pattern: '^sips?:', maxLength: 512 }) }),
    Strict({ type: Type.Literal('phone'), number: PhoneNumber }),
    Strict({
      type: Type.Literal('registered'),
      username: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9._-]{1,64}$' })),
      password: Type.Optional(
        Type.String({ minLength: 8, maxLength: 128, description: 'write-only SIP password' }),
      ),
    }),
  ],
  { description: 'Agent device' },
);

/** A user's console role: what their console sign-in may do (agents take calls). */
export const Role = Type.Union([Type.Literal('agent'), Type.Literal('supervisor'), Type.Literal('admin')], {
  description: 'Console role (default agent). Agents need a device; supervisors and admins may have none.',
});

/** Fields a client sets on a user (agent, supervisor or admin). */
export const UserInput = Strict({
  name: Type.String({ minLength: 1, maxLength: 200 }),
  status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('disabled')])),
  role: Type.Optional(Role),
  device: Type.Optional(Device),
  email: Type.Optional(Type.String({ format: 'email', maxLength: 254 })),
});
/** A user as written by a client. */
export type UserInput = Static<typeof UserInput>;

/** A user as pconn answers it (device password never shown). */
export const User = Type.Object({
  id: Id,
  name: Type.String(),
  status: Type.String(),
  role: Role,
  device: Type.Union([Type.Object({}, { additionalProperties: true }), Type.Null()]),
  hasConsolePassword: Type.Boolean({ description: 'Whether the user can sign in to the console' }),
  email: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});
/** A user as pconn answers it. */
export type User = Static<typeof User>;

/** Body of POST /v1/users/{id}/password: the user's new console password (write-only). */
export const PasswordInput = Strict({
  password: Type.String({ minLength: 12, maxLength: 128, description: 'write-only; never echoed' }),
});
/** A console password as written by an admin. */
export type PasswordInput = Static<typeof PasswordInput>;
