import { redirect, type Handle, type HandleServerError } from '@sveltejs/kit';
import { ApiContractError, ApiError, ApiUnavailableError, SESSION_COOKIE, apiFor } from '$lib/server/api';
import { isPublicPath } from '$lib/paths';

/** Liveness needs no session check. */
const SKIP_SESSION = new Set(['/healthz']);

export const handle: Handle = async ({ event, resolve }) => {
  event.locals.user = null;
  event.locals.apiUnavailable = false;
  const { pathname, search } = event.url;

  if (!SKIP_SESSION.has(pathname) && event.cookies.get(SESSION_COOKIE)) {
    try {
      event.locals.user = await apiFor(event).me();
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) {
        event.cookies.delete(SESSION_COOKIE, { path: '/' });
      } else if (err instanceof ApiUnavailableError) {
        event.locals.apiUnavailable = true;
      } else {
        throw err;
      }
    }
  }

  const signedOut = !event.locals.user && !event.locals.apiUnavailable;
  if (signedOut && !isPublicPath(pathname)) {
    const next = pathname === '/' ? '' : `?next=${encodeURIComponent(pathname + search)}`;
    redirect(303, `/sign-in${next}`);
  }
  if (event.locals.user && pathname === '/sign-in') redirect(303, '/');

  const response = await resolve(event);
  response.headers.set('x-content-type-options', 'nosniff');
  response.headers.set('referrer-policy', 'same-origin');
  response.headers.set('x-frame-options', 'DENY');
  return response;
};

export const handleError: HandleServerError = ({ error, status }) => {
  if (status !== 404) console.error('[web]', error);
  const fromApi = error instanceof ApiUnavailableError || error instanceof ApiContractError || error instanceof ApiError;
  if (fromApi) return { message: error.message };
  return { message: status === 404 ? 'Page not found' : 'Something went wrong on the console server.' };
};
