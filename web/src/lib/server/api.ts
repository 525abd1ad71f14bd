/**
 * Typed client for the platform's Hono API. Server-only: it forwards the user's session cookie and
 * address, times out, and turns RFC 9457 problem documents into `ApiError`s.
 */
import type { RequestEvent } from '@sveltejs/kit';
import type { z } from 'zod';
import { env } from '$env/dynamic/private';
import * as T from '$lib/api-types';
import { ApiContractError, ApiError, ApiUnavailableError, problemFromResponse } from './errors';

export { ApiError, ApiUnavailableError, ApiContractError };

export const SESSION_COOKIE = 'cc_session';
const DEFAULT_API_URL = 'http://127.0.0.1:8080';
const TIMEOUT_MS = 8_000;

export interface ApiContext {
  /** Value of the user's `cc_session` cookie, if any. */
  session?: string | undefined;
  /** The browser's address, sent as X-Forwarded-For (rate limits and audit use it). */
  clientAddress?: string | undefined;
  baseUrl?: string;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

interface RequestOptions {
  method?: 'GET' | 'POST';
  body?: unknown;
  /** Non-2xx statuses that still carry a contract body (e.g. 503 from /readyz). */
  accept?: readonly number[];
}

export function apiBaseUrl(): string {
  return (env.API_URL || DEFAULT_API_URL).replace(/\/+$/, '');
}

export function createApi(ctx: ApiContext) {
  const base = ctx.baseUrl ?? apiBaseUrl();
  const doFetch = ctx.fetch ?? fetch;
  const timeoutMs = ctx.timeoutMs ?? TIMEOUT_MS;

  async function request(path: string, opts: RequestOptions = {}): Promise<Response> {
    const headers = new Headers({ accept: 'application/json, application/problem+json' });
    if (ctx.session) headers.set('cookie', `${SESSION_COOKIE}=${ctx.session}`);
    if (ctx.clientAddress) headers.set('x-forwarded-for', ctx.clientAddress);
    if (opts.body !== undefined) headers.set('content-type', 'application/json');
    let res: Response;
    try {
      res = await doFetch(`${base}${path}`, {
        method: opts.method ?? 'GET',
        headers,
        body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
        signal: AbortSignal.timeout(timeoutMs),
        redirect: 'manual',
      });
    } catch (err) {
      const timedOut = err instanceof Error && err.name === 'TimeoutError';
      throw new ApiUnavailableError(
        timedOut ? `The platform API did not answer within ${timeoutMs} ms` : 'The platform API is unreachable',
        { cause: err },
      );
    }
    if (!res.ok && !opts.accept?.includes(res.status)) throw await problemFromResponse(res);
    return res;
  }

  async function json<S extends z.ZodType>(schema: S, path: string, opts?: RequestOptions): Promise<z.infer<S>> {
    const res = await request(path, opts);
    const body: unknown = await res.json().catch(() => undefined);
    const parsed = schema.safeParse(body);
    if (!parsed.success) {
      throw new ApiContractError(`Unexpected response from ${path}: ${parsed.error.issues[0]?.message ?? 'invalid body'}`);
    }
    return parsed.data;
  }

  const q = (limit?: number) => (limit === undefined ? '' : `?limit=${encodeURIComponent(limit)}`);

  return {
    /** Signs in; returns the user and the API's Set-Cookie headers (for relaying to the browser). */
    async signIn(email: string, password: string) {
      const res = await request('/v1/auth/sign-in', { method: 'POST', body: { email, password } });
      const parsed = T.UserEnvelope.safeParse(await res.json().catch(() => undefined));
      if (!parsed.success) throw new ApiContractError('Unexpected response from /v1/auth/sign-in');
      return { user: parsed.data.user, setCookies: res.headers.getSetCookie() };
    },
    async signOut(): Promise<void> {
      await request('/v1/auth/sign-out', { method: 'POST' });
    },
    me: () => json(T.UserEnvelope, '/v1/me').then((r) => r.user),
    readiness: () => json(T.Readiness, '/readyz', { accept: [503] }),
    kbArticles: (limit?: number) => json(T.KbArticleList, `/v1/kb/articles${q(limit)}`).then((r) => r.items),
    agentVersions: () => json(T.AgentVersionList, '/v1/agent-versions').then((r) => r.items),
    calls: (limit?: number) => json(T.CallPage, `/v1/calls${q(limit)}`),
    queues: () => json(T.QueueList, '/v1/queues').then((r) => r.queues),
    audit: (limit?: number) => json(T.AuditList, `/v1/audit${q(limit)}`).then((r) => r.items),
  };
}

export type Api = ReturnType<typeof createApi>;

/** The API client for one request: forwards that request's session cookie and client address. */
export function apiFor(event: Pick<RequestEvent, 'cookies' | 'getClientAddress'>): Api {
  let clientAddress: string | undefined;
  try {
    clientAddress = event.getClientAddress();
  } catch {
    clientAddress = undefined;
  }
  return createApi({ session: event.cookies.get(SESSION_COOKIE), clientAddress });
}
