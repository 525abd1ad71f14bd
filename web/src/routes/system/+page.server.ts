import { apiFor } from '$lib/server/api';
import { requireRole } from '$lib/server/auth';
import { section } from '$lib/server/section';
import { NAV } from '$lib/nav';
import type { PageServerLoad } from './$types';

const AUDIT_ENTRIES = 25;

export const load: PageServerLoad = async (event) => {
  requireRole(event.locals, NAV.system.roles);
  const api = apiFor(event);
  const [readiness, queues, audit] = await Promise.all([
    section(api.readiness()),
    section(api.queues()),
    section(api.audit(AUDIT_ENTRIES)),
  ]);
  return { now: Date.now(), readiness, queues, audit };
};
