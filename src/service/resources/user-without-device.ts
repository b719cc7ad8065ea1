import { PolicyRefusalError } from '../../domain/pconn-error.ts';
import { roleOf, type StoredUser } from './users.ts';

/**
 * The refusal for placing a call through a user who has no device (a supervisor or admin who
 * takes no calls): there is nobody to ring, so the call is refused up front rather than left
 * waiting for an agent who can never answer.
 */
export function userWithoutDevice(userId: string, user: StoredUser, pointer: string): PolicyRefusalError {
  return new PolicyRefusalError(
    'user_unavailable',
    `User '${userId}' (role ${roleOf(user)}) has no device, so pconn cannot ring them; give them one with PUT /v1/users/${userId} {"device": {"type": "registered"}} (or "sip"/"phone").`,
    { pointer, extensions: { userStatus: user.status, userRole: roleOf(user) } },
  );
}
