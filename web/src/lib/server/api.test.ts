import { describe, expect, it } from 'vitest';
import { ApiContractError, ApiError, ApiUnavailableError, createApi } from './api';

function fakeFetch(respond: (url: string, init: RequestInit) => Response | Promise<Response>) {
  const calls: { url: string; init: RequestInit }[] = [];
  const fn = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = String(input);
    calls.push({ url, init: init ?? {} });
    return respond(url, init ?? {});
  }) as typeof fetch;
  return { fn, calls };
}

const user = { id: 'u1', email: 'a@b.c', name: 'Ada', role: 'admin', tenantId: 't1', tenantName: 'Acme' };

describe('api client', () => {
  it('forwards the session cookie and client address', async () => {
    const f = fakeFetch(() => Response.json({ user }));
    const api = createApi({ baseUrl: 'http://api', session: 'tok', clientAddress: '10.1.2.3', fetch: f.fn });
    await expect(api.me()).resolves.toEqual(user);
    const headers = new Headers(f.calls[0]?.init.headers);
    expect(f.calls[0]?.url).toBe('http://api/v1/me');
    expect(headers.get('cookie')).toBe('cc_session=tok');
    expect(headers.get('x-forwarded-for')).toBe('10.1.2.3');
  });

  it('turns problem documents into typed errors', async () => {
    const problem = { type: 'about:blank', title: 'Too Many Requests', status: 429, detail: 'Slow down' };
    const f = fakeFetch(
      () =>
        new Response(JSON.stringify(problem), {
          status: 429,
          headers: { 'content-type': 'application/problem+json', 'retry-after': '30' },
        }),
    );
    const err = await createApi({ baseUrl: 'http://api', fetch: f.fn }).signIn('a@b.c', 'pw').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(429);
    expect((err as ApiError).problem.detail).toBe('Slow down');
    expect((err as ApiError).retryAfter).toBe(30);
  });

  it('returns not-ready readiness bodies instead of throwing on 503', async () => {
    const body = { status: 'not_ready', checks: { redis: { ok: false, driver: 'ioredis', ms: 2, error: 'ECONNREFUSED' } } };
    const f = fakeFetch(() => Response.json(body, { status: 503 }));
    await expect(createApi({ baseUrl: 'http://api', fetch: f.fn }).readiness()).resolves.toEqual(body);
  });

  it('reports contract drift and unreachable APIs distinctly', async () => {
    const drift = fakeFetch(() => Response.json({ queues: 'nope' }));
    await expect(createApi({ baseUrl: 'http://api', fetch: drift.fn }).queues()).rejects.toBeInstanceOf(ApiContractError);
    const down = fakeFetch(() => Promise.reject(new TypeError('fetch failed')));
    await expect(createApi({ baseUrl: 'http://api', fetch: down.fn }).queues()).rejects.toBeInstanceOf(ApiUnavailableError);
  });

  it('returns the Set-Cookie headers from sign-in', async () => {
    const headers = new Headers({ 'content-type': 'application/json' });
    headers.append('set-cookie', 'cc_session=tok; HttpOnly; SameSite=Lax; Path=/');
    const f = fakeFetch(() => new Response(JSON.stringify({ user }), { status: 200, headers }));
    const res = await createApi({ baseUrl: 'http://api', fetch: f.fn }).signIn('a@b.c', 'pw');
    expect(res.user.tenantName).toBe('Acme');
    expect(res.setCookies).toEqual(['cc_session=tok; HttpOnly; SameSite=Lax; Path=/']);
    expect(JSON.parse(String(f.calls[0]?.init.body))).toEqual({ email: 'a@b.c', password: 'pw' });
  });
});
