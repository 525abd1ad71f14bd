import { json } from '@sveltejs/kit';
import { apiBaseUrl, SESSION_COOKIE } from '$lib/server/api';
import { problemFromResponse } from '$lib/server/errors';
import { NAV } from '$lib/nav';
import type { RequestHandler } from './$types';

/**
 * A single-use token for the voice runtime's generic WebSocket connector, minted by the API
 * (`POST /v1/voice/calls`) with the signed-in user's session. The browser then opens the socket itself.
 */
export const POST: RequestHandler = async (event) => {
  const user = event.locals.user;
  if (!user) return json({ message: 'Your session has ended. Sign in again.' }, { status: 401 });
  if (!(NAV.talk.roles as readonly string[]).includes(user.role)) return json({ message: `Test calls are for ${NAV.talk.roles.join(', ')} roles.` }, { status: 403 });
  const headers = new Headers({ accept: 'application/json, application/problem+json', cookie: `${SESSION_COOKIE}=${event.cookies.get(SESSION_COOKIE) ?? ''}` });
  try {
    headers.set('x-forwarded-for', event.getClientAddress());
  } catch {
    // no client address
  }
  let res: Response;
  try {
    res = await fetch(`${apiBaseUrl()}/v1/voice/calls`, { method: 'POST', headers, signal: AbortSignal.timeout(8_000), redirect: 'manual' });
  } catch {
    return json({ message: 'The platform API is unreachable: no call can be started.' }, { status: 502 });
  }
  if (!res.ok) {
    const err = await problemFromResponse(res);
    const message =
      res.status === 401
        ? 'Your session has ended. Sign in again.'
        : res.status === 503
          ? 'The voice service is not running beside the API, so no call can be started.'
          : (err.problem.detail ?? err.problem.title);
    return json({ message }, { status: res.status === 401 || res.status === 403 || res.status === 503 ? res.status : 502 });
  }
  const body = (await res.json().catch(() => null)) as { url?: unknown; token?: unknown; sampleRate?: unknown; expiresInSeconds?: unknown } | null;
  if (!body || typeof body.url !== 'string' || typeof body.token !== 'string') return json({ message: 'Unexpected answer from the API when starting a call.' }, { status: 502 });
  return json({ url: body.url, token: body.token, sampleRate: Number(body.sampleRate ?? 16000), expiresInSeconds: Number(body.expiresInSeconds ?? 120) }, { headers: { 'cache-control': 'no-store' } });
};
