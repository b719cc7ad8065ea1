import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { Id } from '../../contract/common.ts';
import { PasswordInput } from '../../contract/users.ts';
import { setConsolePassword } from '../../service/console/set-console-password.ts';
import type { Db } from '../../store/database.ts';
import { routeSchema } from '../route-schema.ts';

const Params = Type.Object({ id: Id });

/** POST /v1/users/{id}/password: an admin sets a user's console password. */
export function registerUserPasswordRoute(app: FastifyInstance, deps: { db: Db }): void {
  app.post<{ Params: { id: string }; Body: PasswordInput }>(
    '/v1/users/:id/password',
    {
      config: { scope: 'admin' },
      schema: routeSchema({
        operationId: 'setUserPassword',
        summary: 'Set a user’s console password',
        description:
          'Sets or replaces the password the user signs in to the console with (12 to 128 characters). The password is stored as a scrypt hash and never answered or logged; the user’s open console sessions end, so their tokens stop working within seconds. Needs the `admin` scope.',
        tags: ['Users'],
        scope: 'admin',
        params: Params,
        body: PasswordInput,
        success: { 204: null },
        errors: [404],
      }),
    },
    async (request, reply) => {
      await setConsolePassword(deps.db, await request.context(), request.params.id, request.body.password);
      return reply.code(204).send();
    },
  );
}
