import { requireRole } from '$lib/server/auth';
import { section } from '$lib/server/section';
import { AUDIT_ROLES } from '$lib/components/kb/types';
import { kbApiFor } from '../kb-api.server';
import { auditRange } from './range';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
  const user = requireRole(event.locals, AUDIT_ROLES);
  const now = Date.now();
  const range = auditRange(event.url.searchParams, now);
  const report = await section(kbApiFor(event).audit({ from: range.from, to: range.to }));
  return { now, range, report, canEdit: user.role === 'admin' || user.role === 'supervisor' };
};
