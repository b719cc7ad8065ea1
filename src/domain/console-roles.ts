import { SCOPES, type Scope } from './scopes.ts';

/** Who a console user is: what their access tokens may do follows from it alone. */
export const CONSOLE_ROLES = ['agent', 'supervisor', 'admin'] as const;

/** One console role. */
export type ConsoleRole = (typeof CONSOLE_ROLES)[number];

/** What an agent's desk reads. */
const AGENT_SCOPES: readonly Scope[] = ['calls:read', 'campaigns:read', 'contacts:read', 'users:read'];

/**
 * The scopes a role's access tokens carry. An agent reads what their desk shows and works their
 * own calls; a supervisor runs campaigns and reads the audit trail; an admin also manages users,
 * caller ids and webhooks. Nobody signed in through the console holds `system` (every tenant's
 * administration stays with clients).
 */
export const ROLE_SCOPES: Record<ConsoleRole, readonly Scope[]> = {
  agent: AGENT_SCOPES,
  supervisor: [
    ...AGENT_SCOPES,
    'calls:write',
    'campaigns:write',
    'contacts:write',
    'caller-ids:read',
    'webhooks:read',
    'audit:read',
  ],
  admin: SCOPES.filter((scope) => scope !== 'system'),
};
