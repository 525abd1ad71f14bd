/**
 * The KB pages' calls to the platform API (audit, article detail, diff, edit, mark reviewed), built
 * on `$lib/server/api`'s base URL and session cookie and `$lib/server/errors`' problem parsing, with
 * the same forwarding, timeout and error types as the shared client.
 */
import type { RequestEvent } from '@sveltejs/kit';
import { z } from 'zod';
import { ApiContractError, ApiUnavailableError, SESSION_COOKIE, apiBaseUrl } from '$lib/server/api';
import { problemFromResponse } from '$lib/server/errors';
import { ArticleDetail, ArticleDiff, AuditReport } from '$lib/components/kb/types';

const TIMEOUT_MS = 8_000;
const ReviewedArticle = z.object({ id: z.string(), lastReviewedAt: z.string().nullable() });

export interface AuditParams {
  from?: string;
  to?: string;
  sections?: readonly string[];
  articleId?: string;
}

export function kbApiFor(event: Pick<RequestEvent, 'cookies' | 'getClientAddress'>, fetchImpl: typeof fetch = fetch) {
  const session = event.cookies.get(SESSION_COOKIE);
  let clientAddress: string | undefined;
  try {
    clientAddress = event.getClientAddress();
  } catch {
    clientAddress = undefined;
  }

  async function call<S extends z.ZodType>(schema: S, path: string, init: { method?: 'GET' | 'POST' | 'PATCH'; body?: unknown } = {}): Promise<z.infer<S>> {
    const headers = new Headers({ accept: 'application/json, application/problem+json' });
    if (session) headers.set('cookie', `${SESSION_COOKIE}=${session}`);
    if (clientAddress) headers.set('x-forwarded-for', clientAddress);
    if (init.body !== undefined) headers.set('content-type', 'application/json');
    let res: Response;
    try {
      res = await fetchImpl(`${apiBaseUrl()}${path}`, {
        method: init.method ?? 'GET',
        headers,
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
        signal: AbortSignal.timeout(TIMEOUT_MS),
        redirect: 'manual',
      });
    } catch (err) {
      const timedOut = err instanceof Error && err.name === 'TimeoutError';
      throw new ApiUnavailableError(timedOut ? `The platform API did not answer within ${TIMEOUT_MS} ms` : 'The platform API is unreachable', { cause: err });
    }
    if (!res.ok) throw await problemFromResponse(res);
    const parsed = schema.safeParse(await res.json().catch(() => undefined));
    if (!parsed.success) throw new ApiContractError(`Unexpected response from ${path.split('?')[0]}: ${parsed.error.issues[0]?.message ?? 'invalid body'}`);
    return parsed.data;
  }

  const id = (articleId: string) => encodeURIComponent(articleId);

  return {
    audit(params: AuditParams = {}) {
      const q = new URLSearchParams();
      if (params.from) q.set('from', params.from);
      if (params.to) q.set('to', params.to);
      if (params.sections?.length) q.set('sections', params.sections.join(','));
      if (params.articleId) q.set('articleId', params.articleId);
      const qs = q.toString();
      return call(AuditReport, `/v1/kb/audit${qs ? `?${qs}` : ''}`);
    },
    article: (articleId: string) => call(ArticleDetail, `/v1/kb/articles/${id(articleId)}`),
    diff: (articleId: string, from?: number, to?: number) => {
      const q = new URLSearchParams();
      if (from !== undefined) q.set('from', String(from));
      if (to !== undefined) q.set('to', String(to));
      const qs = q.toString();
      return call(ArticleDiff, `/v1/kb/articles/${id(articleId)}/diff${qs ? `?${qs}` : ''}`);
    },
    edit: (articleId: string, change: { title?: string; body?: string }) => call(ArticleDetail, `/v1/kb/articles/${id(articleId)}`, { method: 'PATCH', body: change }),
    /** The API answers with the article row (no body or versions). */
    markReviewed: (articleId: string) => call(ReviewedArticle, `/v1/kb/articles/${id(articleId)}/reviewed`, { method: 'POST' }),
  };
}

export type KbApi = ReturnType<typeof kbApiFor>;
