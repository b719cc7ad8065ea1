import type { Scope } from './scopes.ts';

/** Who a console user is: what their access tokens may do follows from it alone. */
export const CONSOLE_ROLES = ['agent', 'supervisor', 'admin'] as const;

/** One console role. */
export type ConsoleRole = (typeof CONSOLE_ROLES)[number];

/**
 * The scopes a role's access tokens carry. An agent reads what their desk shows and works their
 * own calls; a supervisor runs campaigns and reads the audit trail; an admin also manages users,
 * caller ids and webhooks. Nobody signed in through the console holds `system` (every tenant's
 * administration stays with clients).
 */
export const ROLE_SCOPES: Record<ConsoleRole, readonly Scope[]> = {
  agent: ['calls:read', 'campaigns:read', 'contacts:read', 'users:read'],
  supervisor: [
    'calls:read',
    'calls:write',
    'campaigns:read',
    'campaigns:write',
    'contacts:read',
    'contacts:write',
    'users:read',
    'caller-ids:read',
    'webhooks:read',
    'audit:read',
  ],
  admin: [
    'calls:read',
    'calls:write',
    'campaigns:read',
    'campaigns:write',
    'contacts:read',
    'contacts:write',
    'users:read',
    'users:write',
    'caller-ids:read',
    'caller-ids:write',
    'webhooks:read',
    'webhooks:write',
    'audit:read',
    'admin',
  ],
};
