import { isRedirect, redirect } from '@sveltejs/kit';
import type { z } from 'zod';
import { apiBaseUrl, apiFor, SESSION_COOKIE } from '$lib/server/api';
import { requireRole } from '$lib/server/auth';
import { describeFailure, section, type Section } from '$lib/server/section';
import { problemFromResponse } from '$lib/server/errors';
import { CallPage } from '$lib/api-types';
import { NAV } from '$lib/nav';
import { readFilters } from '$lib/components/dashboard/dashboard';
import type { PageServerLoad } from './$types';

const OUTCOMES = ['contained', 'escalated', 'abandoned', 'failed'] as const;
const DAY_MS = 86_400_000;

export interface EndedCall {
  callId: string;
  agentVersion: string;
  outcome: string;
  endedAt: string;
}
export type EndedCalls = { state: 'ok'; items: EndedCall[]; truncated: boolean } | { state: 'delayed' | 'error'; message: string };

/** The ended calls behind the overview's numbers, from ClickHouse (`GET /v1/dashboard/calls`). */
async function loadEndedCalls(session: string | undefined, f: { from: string; to: string; agentVersion: string; outcome: string }): Promise<EndedCalls> {
  const q = new URLSearchParams({ from: f.from, to: f.to, limit: '100' });
  if (f.agentVersion) q.set('agentVersion', f.agentVersion);
  if (f.outcome) q.set('outcome', f.outcome);
  let res: Response;
  try {
    res = await fetch(`${apiBaseUrl()}/v1/dashboard/calls?${q}`, {
      headers: { accept: 'application/json, application/problem+json', cookie: `${SESSION_COOKIE}=${session ?? ''}` },
      signal: AbortSignal.timeout(8_000),
      redirect: 'manual',
    });
  } catch {
    return { state: 'error', message: 'The platform API is unreachable.' };
  }
  if (res.status === 401) redirect(303, '/sign-in');
  if (!res.ok) {
    const err = await problemFromResponse(res);
    return { state: res.status === 503 ? 'delayed' : 'error', message: err.problem.detail ?? err.problem.title };
  }
  const body = (await res.json().catch(() => null)) as { items?: EndedCall[]; truncated?: boolean } | null;
  if (!body || !Array.isArray(body.items)) return { state: 'error', message: 'Unexpected response from the dashboard calls API.' };
  return { state: 'ok', items: body.items, truncated: Boolean(body.truncated) };
}

export const load: PageServerLoad = async (event) => {
  requireRole(event.locals, NAV.calls.roles);
  const params = event.url.searchParams;
  const { filters, errors } = readFilters(params);
  const outcomeParam = params.get('outcome') ?? '';
  const outcome = (OUTCOMES as readonly string[]).includes(outcomeParam) ? outcomeParam : '';
  const cursor = params.get('cursor') ?? '';

  const versions = await section(apiFor(event).agentVersions());
  const ended = Object.keys(errors).length === 0 ? await loadEndedCalls(event.cookies.get(SESSION_COOKIE), { ...filters, outcome }) : null;
  let calls: Section<z.infer<typeof CallPage>> | null = null;
  if (Object.keys(errors).length === 0) {
    const q = new URLSearchParams({ from: `${filters.from}T00:00:00Z`, to: new Date(Date.parse(`${filters.to}T00:00:00Z`) + DAY_MS).toISOString(), limit: '50' });
    if (outcome) q.set('outcome', outcome);
    if (cursor) q.set('cursor', cursor);
    const headers = new Headers({ accept: 'application/json, application/problem+json', cookie: `${SESSION_COOKIE}=${event.cookies.get(SESSION_COOKIE) ?? ''}` });
    try {
      const res = await fetch(`${apiBaseUrl()}/v1/calls?${q}`, { headers, signal: AbortSignal.timeout(8_000), redirect: 'manual' });
      if (res.status === 401) redirect(303, '/sign-in');
      if (!res.ok) throw await problemFromResponse(res);
      const parsed = CallPage.safeParse(await res.json());
      calls = parsed.success ? { ok: true, data: parsed.data } : { ok: false, status: null, message: 'Unexpected response from the calls API.' };
    } catch (err) {
      if (isRedirect(err)) throw err;
      calls = { ok: false, ...describeFailure(err) };
    }
  }
  const versionLabels: Record<string, string> = {};
  const versionIds: Record<string, string[]> = {};
  if (versions.ok) {
    for (const v of versions.data) {
      versionLabels[v.id] = `${v.agentName} v${v.version}`;
      (versionIds[String(v.version)] ??= []).push(v.id);
    }
  }
  // The API filters by time and outcome; the agent version (a version string) is matched here.
  if (calls?.ok && filters.agentVersion) {
    const ids = new Set(versionIds[filters.agentVersion] ?? []);
    calls = { ok: true, data: { ...calls.data, items: calls.data.items.filter((c) => c.agentVersionId && ids.has(c.agentVersionId)) } };
  }
  return { now: Date.now(), filters, errors, outcome, ended, outcomes: OUTCOMES, calls, versionLabels, versionOptions: Object.keys(versionIds).sort() };
};
