import { error, redirect } from '@sveltejs/kit';
import type { Role, User } from '$lib/api-types';

/**
 * Guard for a page's server load or action: the signed-in user when their role is allowed,
 * a redirect to sign-in when signed out, a 403 otherwise.
 */
export function requireRole(locals: App.Locals, roles: readonly Role[]): User {
  const user = locals.user;
  if (!user) redirect(303, '/sign-in');
  if (!roles.includes(user.role)) {
    error(403, { message: `This page is for ${roles.join(', ')} roles; you are signed in as ${user.role}.` });
  }
  return user;
}
