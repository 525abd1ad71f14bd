import { redirect } from '@sveltejs/kit';
import { ApiError, SESSION_COOKIE, apiFor } from '$lib/server/api';
import type { RequestHandler } from './$types';

/** Ends the session at the API (best effort) and always clears the console's cookie. */
export const POST: RequestHandler = async (event) => {
  if (event.cookies.get(SESSION_COOKIE)) {
    try {
      await apiFor(event).signOut();
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 401)) console.error('[web] sign-out failed at the API:', err);
    }
  }
  event.cookies.delete(SESSION_COOKIE, { path: '/' });
  redirect(303, '/sign-in');
};
