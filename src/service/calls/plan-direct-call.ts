import type { DirectCallInput } from '../../contract/calls.ts';
import { PolicyRefusalError } from '../../domain/pconn-error.ts';
import type { RequestContext } from '../../domain/request-context.ts';
import type { Executor } from '../../store/database.ts';
import { ResourceRepository } from '../../store/resources.ts';
import { userWithoutDevice } from '../resources/user-without-device.ts';
import type { StoredUser } from '../resources/users.ts';
import type { CallPlan } from './call-plan.ts';
import { resolveCallerId } from './resolve-caller-id.ts';

const users = new ResourceRepository<StoredUser>('users');

/** Direct calls (no campaign) use the default calling window in the number's zone. */
export const DIRECT_CALL_WINDOW = { start: '08:00', end: '21:00' };

/** Checks a direct call request (user, caller id) and gathers what the decision needs. */
export async function planDirectCall(
  db: Executor,
  ctx: RequestContext,
  input: DirectCallInput,
): Promise<CallPlan> {
  const user = await users.find(db, ctx.tenant.id, input.userId);
  if (!user)
    throw new PolicyRefusalError(
      'user_not_found',
      `No user with id '${input.userId}' exists in this tenant.`,
      { pointer: '/userId' },
    );
  if (user.data.status !== 'active') {
    throw new PolicyRefusalError('user_unavailable', `User '${input.userId}' is ${user.data.status}.`, {
      pointer: '/userId',
      extensions: { userStatus: user.data.status },
    });
  }
  if (!user.data.device) throw userWithoutDevice(input.userId, user.data, '/userId');
  const callerId = await resolveCallerId(db, ctx, null, input.callerId);
  return {
    kind: 'direct',
    campaignId: null,
    campaignStatus: null,
    contactId: null,
    toNumber: input.to,
    phoneType: null,
    requestedUserId: input.userId,
    callerId,
    reason: input.reason ?? null,
    metadata: input.metadata ?? {},
    notBefore: input.notBefore ? new Date(input.notBefore) : null,
    outsideWindow: input.outsideWindow ?? 'reject',
    window: DIRECT_CALL_WINDOW,
    contactTimezone: null,
    fallbackTimezone: null,
    consent: null,
    maxAttempts: 1,
    minRedialGapSeconds: 0,
    activeAgents: null,
  };
}
