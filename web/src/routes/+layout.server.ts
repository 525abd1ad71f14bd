import { error } from '@sveltejs/kit';
import { isPublicPath } from '$lib/paths';
import type { LayoutServerLoad } from './$types';

export const load: LayoutServerLoad = ({ locals, url }) => {
  if (locals.apiUnavailable && !isPublicPath(url.pathname)) {
    error(503, { message: 'The platform API is unreachable, so your session cannot be checked. Try again shortly.' });
  }
  return { user: locals.user };
};
