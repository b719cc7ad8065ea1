import type { ConsoleSignedIn } from 'pconn/sdk';

/** A console role (what the signed-in user is). */
export type Role = ConsoleSignedIn['user']['role'];

/** One page of the console: where it lives, its label and who may open it. */
export interface PageEntry {
  path: string;
  label: string;
  roles: readonly Role[];
}

const STAFF: readonly Role[] = ['supervisor', 'admin'];

/**
 * The console's pages by role: an agent works from the desk only; supervisors see everything
 * but the settings; admins everything. The API refuses the same things by scope, so hiding a
 * page is a convenience, never the protection.
 */
export const PAGES: readonly PageEntry[] = [
  { path: '/', label: 'Dashboard', roles: STAFF },
  { path: '/campaigns', label: 'Campaigns', roles: STAFF },
  { path: '/calls', label: 'Calls', roles: STAFF },
  { path: '/audit', label: 'Audit', roles: STAFF },
  { path: '/desk', label: 'Agent desk', roles: ['agent', 'supervisor', 'admin'] },
  { path: '/webhooks', label: 'Webhooks', roles: STAFF },
  { path: '/settings', label: 'Settings', roles: ['admin'] },
];

/** The page a path belongs to (its first segment). */
export function pageOf(path: string): PageEntry | undefined {
  const first = `/${path.split('/')[1] ?? ''}`;
  return PAGES.find((page) => page.path === first);
}

/** Where a user lands after signing in. */
export function homeOf(role: Role): string {
  return role === 'agent' ? '/desk' : '/';
}
