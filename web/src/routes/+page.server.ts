import { redirect } from '@sveltejs/kit';
import { apiBaseUrl, apiFor, SESSION_COOKIE } from '$lib/server/api';
import { requireRole } from '$lib/server/auth';
import { section } from '$lib/server/section';
import { problemFromResponse } from '$lib/server/errors';
import { NAV } from '$lib/nav';
import { filterQuery, readFilters, type FieldErrors, type Filters } from '$lib/components/dashboard/dashboard';
import { Dashboard } from '$lib/components/dashboard/dashboard-schema';
import type { Role } from '$lib/api-types';
import type { PageServerLoad, RequestEvent } from './$types';

const RECENT_CALLS = 10;
const DASHBOARD_ROLES: readonly Role[] = ['admin', 'supervisor', 'reviewer'];

export type DashboardSection =
  | { state: 'ok'; data: Dashboard }
  | { state: 'delayed'; message: string }
  | { state: 'invalid'; errors: FieldErrors }
  | { state: 'forbidden' }
  | { state: 'error'; message: string };

/** `GET /v1/dashboard` for the signed-in user. ClickHouse trouble is "delayed", never zeros. */
async function loadDashboard(event: RequestEvent, filters: Filters): Promise<DashboardSection> {
  const headers = new Headers({ accept: 'application/json, application/problem+json' });
  const session = event.cookies.get(SESSION_COOKIE);
  if (session) headers.set('cookie', `${SESSION_COOKIE}=${session}`);
  try {
    headers.set('x-forwarded-for', event.getClientAddress());
  } catch {
    // no client address in this context
  }
  let res: Response;
  try {
    res = await fetch(`${apiBaseUrl()}/v1/dashboard?${filterQuery(filters)}`, { headers, signal: AbortSignal.timeout(8_000), redirect: 'manual' });
  } catch {
    return { state: 'error', message: 'The platform API is unreachable; dashboard figures are not available.' };
  }
  if (res.status === 401) redirect(303, '/sign-in');
  if (res.ok) {
    const parsed = Dashboard.safeParse(await res.json().catch(() => null));
    return parsed.success ? { state: 'ok', data: parsed.data } : { state: 'error', message: 'Unexpected response from the dashboard API.' };
  }
  if (res.status === 400) {
    const body = (await res.json().catch(() => null)) as { detail?: string; errors?: { path?: unknown; message?: unknown }[] } | null;
    const errors: FieldErrors = {};
    for (const e of body?.errors ?? []) {
      if ((e.path === 'from' || e.path === 'to' || e.path === 'agentVersion') && typeof e.message === 'string') errors[e.path] = e.message;
    }
    if (Object.keys(errors).length === 0) errors.from = body?.detail ?? 'Invalid filters.';
    return { state: 'invalid', errors };
  }
  const err = await problemFromResponse(res);
  if (res.status === 503) return { state: 'delayed', message: err.problem.detail ?? 'Dashboard data is delayed.' };
  if (res.status === 403) return { state: 'forbidden' };
  return { state: 'error', message: err.problem.detail ?? err.problem.title };
}

export const load: PageServerLoad = async (event) => {
  const user = requireRole(event.locals, NAV.overview.roles);
  const api = apiFor(event);
  const { filters, errors } = readFilters(event.url.searchParams);
  const canSeeDashboard = DASHBOARD_ROLES.includes(user.role);
  const dashboard: Promise<DashboardSection> = !canSeeDashboard
    ? Promise.resolve({ state: 'forbidden' })
    : Object.keys(errors).length > 0
      ? Promise.resolve({ state: 'invalid', errors })
      : loadDashboard(event, filters);
  const canDrillDown = (NAV.calls.roles as readonly Role[]).includes(user.role);
  const [board, readiness, calls, queues, versions] = await Promise.all([
    dashboard,
    section(api.readiness()),
    section(api.calls(RECENT_CALLS)),
    section(api.queues()),
    section(api.agentVersions()),
  ]);
  // Labels are a nicety: without them the table shows the version id.
  const versionLabels: Record<string, string> = {};
  const versionNames = new Set<string>();
  if (versions.ok) {
    for (const v of versions.data) {
      versionLabels[v.id] = `${v.agentName} v${v.version}`;
      versionNames.add(String(v.version));
    }
  }
  if (board.state === 'ok') for (const v of board.data.versions) versionNames.add(v.agentVersion);
  return { now: Date.now(), filters, dashboard: board, versionOptions: [...versionNames].sort(), readiness, calls, queues, versionLabels, canDrillDown };
};
