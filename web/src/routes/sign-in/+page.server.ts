import { fail, redirect } from '@sveltejs/kit';
import { ApiError, ApiUnavailableError, SESSION_COOKIE, apiFor } from '$lib/server/api';
import { findSetCookie } from '$lib/server/set-cookie';
import { safeNext } from '$lib/paths';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = ({ url }) => ({ next: safeNext(url.searchParams.get('next')) });

function signInFailure(err: unknown): { status: number; message: string } {
  if (err instanceof ApiError) {
    if (err.status === 401) return { status: 401, message: 'Wrong email or password.' };
    if (err.status === 429) {
      const wait = err.retryAfter ? ` Try again in ${Math.ceil(err.retryAfter)} s.` : ' Wait a minute and try again.';
      return { status: 429, message: `Too many sign-in attempts.${wait}` };
    }
    if (err.status < 500) return { status: 400, message: err.problem.detail ?? err.problem.title };
  }
  if (err instanceof ApiUnavailableError) return { status: 503, message: 'The platform API is unreachable. Try again shortly.' };
  console.error('[web] sign-in failed:', err);
  return { status: 502, message: 'Sign-in failed on the platform side. Try again shortly.' };
}

export const actions: Actions = {
  default: async (event) => {
    const form = await event.request.formData();
    const email = String(form.get('email') ?? '').trim();
    const password = String(form.get('password') ?? '');
    const next = safeNext(String(form.get('next') ?? ''));
    if (!email || !password) {
      return fail(400, { email, message: 'Enter your email and password.', field: !email ? 'email' : 'password' });
    }

    let setCookies: string[];
    try {
      ({ setCookies } = await apiFor(event).signIn(email, password));
    } catch (err) {
      const { status, message } = signInFailure(err);
      return fail(status, { email, message, field: status === 401 ? 'password' : null });
    }

    const session = findSetCookie(setCookies, SESSION_COOKIE);
    if (!session?.value) {
      return fail(502, { email, message: 'The platform API did not start a session.', field: null });
    }
    // Re-issue the API's session cookie on the console's origin, keeping its attributes.
    event.cookies.set(SESSION_COOKIE, session.value, {
      path: '/',
      httpOnly: true,
      sameSite: session.sameSite ?? 'lax',
      secure: event.url.protocol === 'https:',
      ...(session.maxAge !== undefined ? { maxAge: session.maxAge } : {}),
      ...(session.expires ? { expires: session.expires } : {}),
    });
    redirect(303, next);
  },
};
