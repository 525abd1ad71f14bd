import { apiFor } from '$lib/server/api';
import { requireRole } from '$lib/server/auth';
import { section } from '$lib/server/section';
import { NAV } from '$lib/nav';
import type { PageServerLoad } from './$types';

const ARTICLE_LIMIT = 200;

export const load: PageServerLoad = async (event) => {
  requireRole(event.locals, NAV.kb.roles);
  const articles = await section(apiFor(event).kbArticles(ARTICLE_LIMIT));
  return { now: Date.now(), limit: ARTICLE_LIMIT, articles };
};
