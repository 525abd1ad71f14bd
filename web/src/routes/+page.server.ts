import { apiFor } from '$lib/server/api';
import { requireRole } from '$lib/server/auth';
import { section } from '$lib/server/section';
import { NAV } from '$lib/nav';
import type { PageServerLoad } from './$types';

const RECENT_CALLS = 10;

export const load: PageServerLoad = async (event) => {
  requireRole(event.locals, NAV.overview.roles);
  const api = apiFor(event);
  const [readiness, calls, queues, versions] = await Promise.all([
    section(api.readiness()),
    section(api.calls(RECENT_CALLS)),
    section(api.queues()),
    section(api.agentVersions()),
  ]);
  // Labels are a nicety: without them the table shows the version id.
  const versionLabels: Record<string, string> = {};
  if (versions.ok) for (const v of versions.data) versionLabels[v.id] = `${v.agentName} v${v.version}`;
  return { now: Date.now(), readiness, calls, queues, versionLabels };
};
