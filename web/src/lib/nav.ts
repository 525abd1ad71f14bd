import type { Role } from '$lib/api-types';

export interface NavItem {
  href: string;
  label: string;
  /** Roles that may open the page; the page's server load enforces the same list. */
  roles: readonly Role[];
}

const ALL: readonly Role[] = ['admin', 'supervisor', 'reviewer', 'agent'];

export const NAV = {
  overview: { href: '/', label: 'Overview', roles: ALL },
  rollouts: { href: '/rollouts', label: 'A/B rollouts', roles: ['admin', 'supervisor'] },
  kb: { href: '/kb', label: 'Knowledge base', roles: ALL },
  review: { href: '/review', label: 'Review queue', roles: ['admin', 'supervisor', 'reviewer'] },
  calls: { href: '/calls', label: 'Live calls', roles: ['admin', 'supervisor'] },
  talk: { href: '/talk', label: 'Talk to agent', roles: ['admin', 'supervisor', 'reviewer'] },
  system: { href: '/system', label: 'System', roles: ['admin', 'supervisor'] },
} as const satisfies Record<string, NavItem>;

export const NAV_ITEMS: readonly NavItem[] = Object.values(NAV);

/** Nav entries the role may open. */
export function navFor(role: Role): NavItem[] {
  return NAV_ITEMS.filter((item) => item.roles.includes(role));
}

/** Whether `pathname` is at or under the nav entry (Overview only matches `/` exactly). */
export function isActive(item: NavItem, pathname: string): boolean {
  if (item.href === '/') return pathname === '/';
  return pathname === item.href || pathname.startsWith(`${item.href}/`);
}
