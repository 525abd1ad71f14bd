import { z } from 'zod';
import { NotFoundError, ValidationError, errorMessage } from '@cc/core';
import { callerTurnsInRange, scoresWithDetailsInRange } from '@cc/store/clickhouse';
import { getKbArticle, listKbArticlesForAudit, type KbArticleForAudit } from '@cc/store/postgres';
// @cc/knowledge is not (yet) a dependency of @cc/api in package.json: imported by path.
import { AUDIT_SECTIONS, HALLUCINATION_METRIC, diffLines, runKbAudit, type AuditArticle, type AuditSection } from '@cc/knowledge';
import { queryParams } from '../request.ts';
import { ALL_ROLES, type Routes } from '../route-table.ts';
import type { Role } from '@cc/core';
import type { ApiDeps } from '../deps.ts';

/** Who may read the audit: the people who maintain the KB and the reviewers who judge answers. */
export const KB_AUDIT_READERS: readonly Role[] = ['admin', 'supervisor', 'reviewer'];

const DAY_MS = 86_400_000;
const DEFAULT_RANGE_DAYS = 30;
const MAX_RANGE_DAYS = 400;
/** Rows read from ClickHouse per audit (newest first); the response says when a limit was reached. */
export const AUDIT_ROW_LIMIT = 20_000;

const isoDate = z
  .string()
  .max(40)
  .refine((s) => Number.isFinite(Date.parse(s)), 'must be an ISO 8601 date or time, e.g. 2026-01-31 or 2026-01-31T12:00:00Z')
  .transform((s) => new Date(Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(s) ? `${s}T00:00:00Z` : s)));

const AuditQuery = z
  .object({
    /** Start of the caller-turn and score range (inclusive; default 30 days before `to`). */
    from: isoDate.optional(),
    /** End of the range (exclusive; a plain date means the end of that day; default now). */
    to: z
      .string()
      .max(40)
      .refine((s) => Number.isFinite(Date.parse(s)), 'must be an ISO 8601 date or time')
      .transform((s) => (/^\d{4}-\d{2}-\d{2}$/.test(s) ? new Date(Date.parse(`${s}T00:00:00Z`) + DAY_MS) : new Date(Date.parse(s))))
      .optional(),
    /** Comma-separated sections: stale, conflicts, gaps, mostCited (default all). */
    sections: z
      .string()
      .max(100)
      .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean))
      .pipe(z.array(z.enum(AUDIT_SECTIONS as unknown as [AuditSection, ...AuditSection[]])).min(1))
      .optional(),
    /** Only findings that involve this article (conflicts, stale, most-cited). */
    articleId: z.uuid().optional(),
    /** Months without review before an article is stale (default 12). */
    staleMonths: z.coerce.number().int().min(1).max(120).default(12),
  })
  .transform((q, ctx) => {
    const to = q.to ?? new Date();
    const from = q.from ?? new Date(to.getTime() - DEFAULT_RANGE_DAYS * DAY_MS);
    if (from.getTime() >= to.getTime()) ctx.addIssue({ code: 'custom', path: ['from'], message: 'must be before `to`' });
    else if (to.getTime() - from.getTime() > MAX_RANGE_DAYS * DAY_MS) ctx.addIssue({ code: 'custom', path: ['from'], message: `the range can span at most ${MAX_RANGE_DAYS} days` });
    return { ...q, from, to };
  });

const DiffQuery = z.object({
  /** Older version (default: the one before `to`). */
  from: z.coerce.number().int().min(1).optional(),
  /** Newer version (default: the current one). */
  to: z.coerce.number().int().min(1).optional(),
});

function toAuditArticle(a: KbArticleForAudit): AuditArticle {
  return {
    id: a.id,
    slug: a.slug,
    title: a.title,
    topic: a.topic,
    body: a.body,
    version: a.currentVersion,
    status: a.status,
    ownerId: a.owner?.id ?? null,
    ownerName: a.owner?.name ?? null,
    lastReviewedAt: a.lastReviewedAt,
  };
}

/** A section that could not be computed says why, and the rest of the audit still answers. */
type SectionError = { error: string };

export function kbAuditRoutes(deps: ApiDeps, routes: Routes) {
  const db = deps.db.db;
  const log = deps.logger.child({ component: 'kb-audit' });

  routes.add(
    { method: 'GET', path: '/v1/kb/audit', roles: KB_AUDIT_READERS, summary: 'KB audit: stale articles, conflicts, coverage gaps, most cited in unsupported answers' },
    async (c) => {
      const q = queryParams(c, AuditQuery);
      const tenantId = c.get('principal').tenantId;
      const sections = new Set<AuditSection>(q.sections ?? AUDIT_SECTIONS);
      const asOf = new Date();
      const articles = (await listKbArticlesForAudit(db, tenantId)).map(toAuditArticle);
      if (q.articleId && !articles.some((a) => a.id === q.articleId)) throw new NotFoundError('KB article', q.articleId);

      const range = { tenantId, from: q.from, to: q.to, limit: AUDIT_ROW_LIMIT };
      const errors: Partial<Record<AuditSection, SectionError>> = {};
      const read = async <T>(section: AuditSection, what: string, fn: () => Promise<T>): Promise<T | undefined> => {
        if (!sections.has(section)) return undefined;
        try {
          return await fn();
        } catch (err) {
          log.warn({ err: errorMessage(err), section }, 'kb audit read failed');
          errors[section] = { error: `Could not read ${what} from ClickHouse: ${errorMessage(err).slice(0, 200)}` };
          return undefined;
        }
      };
      const [turns, scores] = await Promise.all([
        read('gaps', 'caller turns', () => callerTurnsInRange(deps.analytics, range)),
        read('mostCited', 'hallucination scores', () => scoresWithDetailsInRange(deps.analytics, { ...range, metric: HALLUCINATION_METRIC })),
      ]);
      const computable = [...sections].filter((s) => !errors[s]);
      const report = runKbAudit({
        articles,
        asOf,
        sections: computable,
        stale: { months: q.staleMonths },
        callerTurns: (turns ?? []).map((t) => ({ text: t.text, callId: t.callId, intent: t.intent, at: new Date(t.atMs) })),
        hallucinationScores: (scores ?? []).map((s) => ({ value: s.value, details: s.details, callId: s.callId, turnIndex: s.turnIndex })),
      });

      const only = q.articleId;
      const conflicts = report.conflicts && {
        ...report.conflicts,
        pairs: only ? report.conflicts.pairs.filter((p) => p.a.id === only || p.b.id === only) : report.conflicts.pairs,
        groups: only ? report.conflicts.groups.filter((g) => g.articles.some((a) => a.id === only)) : report.conflicts.groups,
      };
      const stale = report.stale && { ...report.stale, items: only ? report.stale.items.filter((i) => i.id === only) : report.stale.items };
      const mostCited = report.mostCited && { ...report.mostCited, items: only ? report.mostCited.items.filter((i) => i.articleId === only) : report.mostCited.items };
      return c.json({
        generatedAt: asOf.toISOString(),
        range: { from: q.from.toISOString(), to: q.to.toISOString() },
        articles: report.articles,
        ...(only ? { articleId: only } : {}),
        stale: sections.has('stale') ? stale : undefined,
        conflicts: sections.has('conflicts') ? conflicts : undefined,
        gaps: sections.has('gaps') ? (errors.gaps ?? { ...report.gaps!, truncated: (turns?.length ?? 0) >= AUDIT_ROW_LIMIT }) : undefined,
        mostCited: sections.has('mostCited') ? (errors.mostCited ?? { ...mostCited!, truncated: (scores?.length ?? 0) >= AUDIT_ROW_LIMIT }) : undefined,
        timings: report.timings,
      });
    },
  );

  routes.add({ method: 'GET', path: '/v1/kb/articles/:id/diff', roles: ALL_ROLES, summary: 'Line diff between two versions of an article' }, async (c) => {
    const q = queryParams(c, DiffQuery);
    const article = await getKbArticle(db, c.get('principal').tenantId, c.req.param('id')!);
    const to = q.to ?? article.currentVersion;
    const from = q.from ?? Math.max(1, to - 1);
    if (from > to) throw new ValidationError('query parameters', [{ path: 'from', message: 'must not be after `to`' }]);
    const newer = article.versions.find((v) => v.version === to);
    const older = article.versions.find((v) => v.version === from);
    if (!newer) throw new NotFoundError(`version ${to} of KB article`, article.id);
    if (!older) throw new NotFoundError(`version ${from} of KB article`, article.id);
    return c.json({
      articleId: article.id,
      from: { version: older.version, title: older.title, createdAt: older.createdAt, editedBy: older.editedBy },
      to: { version: newer.version, title: newer.title, createdAt: newer.createdAt, editedBy: newer.editedBy },
      titleChanged: older.title !== newer.title,
      diff: diffLines(older.body, newer.body),
    });
  });
}
