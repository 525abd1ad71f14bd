import { requireRole } from '$lib/server/auth';
import { NAV } from '$lib/nav';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = ({ locals }) => {
  requireRole(locals, NAV.review.roles);
};
