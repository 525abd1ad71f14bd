import { ArticleStatus, Role, sha256Hex } from '@cc/core';
import { z } from 'zod';
import { subflowMarkdown, subflowSlug } from './guidelines.ts';
import { DEMO_CONFLICT_ARTICLES } from './kb-demo-conflicts.ts';
import { abcdSubflows } from './sources.ts';
import { canonicalJson, contentHash } from './util.ts';

/**
 * Knowledge-base articles for the demo tenant: one per ABCD subflow (55), body = that subflow's
 * guideline as Markdown, plus the deliberately conflicting demo articles of kb-demo-conflicts.ts.
 * Field names follow the kb_articles table of @cc/store (ownerRole is resolved to ownerUserId by
 * the seeder).
 */

/** Default reference date for review ages; the seeder should pass `asOf: new Date()`. */
export const DEMO_REFERENCE_DATE = '2026-11-01T00:00:00.000Z';
/** An article not reviewed for longer than this is stale in the KB audit. */
export const STALE_AFTER_DAYS = 365;
const MIN_AGE_DAYS = 10;
const MAX_AGE_DAYS = 730;

export const KbSlug = z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'kebab-case slug');

export const KbArticleMetadataSchema = z.object({
  source: z.enum(['abcd_guidelines', 'demo']),
  licence: z.enum(['MIT', 'project']),
  /** The flow (ABCD subflow) this article documents. */
  flow_id: z.string().optional(),
  /** True for the deliberately conflicting demo articles. */
  demo_conflict: z.boolean(),
  conflict: z
    .object({
      conflictsWith: z.array(KbSlug).min(1),
      subject: z.string().min(1),
      demoClaim: z.string().min(1),
      guidelineClaim: z.string().min(1),
    })
    .optional(),
});

export const KbArticleSchema = z
  .object({
    slug: KbSlug,
    title: z.string().min(1),
    /** Guideline flow title, e.g. "Product Defect". */
    topic: z.string().min(1),
    status: ArticleStatus,
    ownerRole: Role,
    /** Markdown. */
    body: z.string().min(1),
    lastReviewedAt: z.iso.datetime(),
    /** sha256 of the canonical JSON of {slug, title, topic, body}. */
    contentHash: z.string().regex(/^[0-9a-f]{64}$/),
    metadata: KbArticleMetadataSchema,
  })
  .refine((a) => a.metadata.demo_conflict === (a.metadata.conflict !== undefined), { message: 'demo_conflict articles (and only they) describe their conflict' });
export type KbArticle = z.infer<typeof KbArticleSchema>;

export const KbArticlesSchema = z.array(KbArticleSchema).superRefine((articles, ctx) => {
  const slugs = new Set(articles.map((a) => a.slug));
  if (slugs.size !== articles.length) ctx.addIssue({ code: 'custom', message: 'slugs must be unique' });
  for (const a of articles) {
    for (const s of a.metadata.conflict?.conflictsWith ?? []) if (!slugs.has(s)) ctx.addIssue({ code: 'custom', message: `${a.slug} conflicts with unknown article ${s}` });
  }
});

/** Owner role per topic: account and site topics belong to admins, the rest to supervisors. */
function ownerFor(topic: string): Role {
  return ['Account Access', 'Manage Account', 'Troubleshoot Site'].includes(topic) ? 'admin' : 'supervisor';
}

function articleHash(a: { slug: string; title: string; topic: string; body: string }): string {
  return contentHash({ slug: a.slug, title: a.title, topic: a.topic, body: a.body });
}

function reviewedAt(asOf: Date, daysAgo: number): string {
  return new Date(asOf.getTime() - daysAgo * 86_400_000).toISOString();
}

export interface KbBuildOptions {
  /** Review ages are counted back from this date (default DEMO_REFERENCE_DATE). */
  asOf?: Date;
}

/**
 * The articles, guideline articles first (ontology order), then the demo conflicts. Review dates:
 * guideline articles are spread evenly over MIN_AGE_DAYS..MAX_AGE_DAYS before `asOf`, in an order
 * fixed by sha256(slug), so about half are stale (> STALE_AFTER_DAYS); the demo conflicts were
 * "reviewed recently" (DemoConflictArticle.reviewedDaysAgo).
 */
export function buildKbArticles(options: KbBuildOptions = {}): KbArticle[] {
  const asOf = options.asOf ?? new Date(DEMO_REFERENCE_DATE);
  const refs = abcdSubflows();
  const order = refs
    .map((r) => subflowSlug(r.flow, r.subflow))
    .sort((a, b) => (sha256Hex(a) < sha256Hex(b) ? -1 : 1));
  const step = (MAX_AGE_DAYS - MIN_AGE_DAYS) / Math.max(1, order.length - 1);

  const guideline = refs.map((ref) => {
    const slug = subflowSlug(ref.flow, ref.subflow);
    const base = { slug, title: ref.subflowTitle, topic: ref.flowTitle, body: subflowMarkdown(ref) };
    return {
      ...base,
      status: 'published' as const,
      ownerRole: ownerFor(ref.flowTitle),
      lastReviewedAt: reviewedAt(asOf, Math.round(MIN_AGE_DAYS + order.indexOf(slug) * step)),
      contentHash: articleHash(base),
      metadata: { source: 'abcd_guidelines' as const, licence: 'MIT' as const, flow_id: `${ref.flow}.${ref.subflow}`, demo_conflict: false },
    };
  });
  const demo = DEMO_CONFLICT_ARTICLES.map((d) => {
    const base = { slug: d.slug, title: d.title, topic: d.topic, body: d.body };
    return {
      ...base,
      status: 'published' as const,
      ownerRole: 'supervisor' as const,
      lastReviewedAt: reviewedAt(asOf, d.reviewedDaysAgo),
      contentHash: articleHash(base),
      metadata: { source: 'demo' as const, licence: 'project' as const, demo_conflict: true, conflict: d.conflict },
    };
  });
  return KbArticlesSchema.parse([...guideline, ...demo]);
}

/**
 * The KB snapshot an agent version pins: content only (slug, title, topic, body, status), sorted by
 * slug — review dates and owners are left out so the hash does not move with `asOf`.
 */
export function kbSnapshot(articles: readonly KbArticle[]): Array<Pick<KbArticle, 'slug' | 'title' | 'topic' | 'body' | 'status'>> {
  return [...articles]
    .sort((a, b) => (a.slug < b.slug ? -1 : a.slug > b.slug ? 1 : 0))
    .map(({ slug, title, topic, body, status }) => ({ slug, title, topic, body, status }));
}

export function kbSnapshotHash(articles: readonly KbArticle[]): string {
  return sha256Hex(canonicalJson(kbSnapshot(articles)));
}

/** True when the article was last reviewed more than STALE_AFTER_DAYS before `asOf`. */
export function isStale(article: Pick<KbArticle, 'lastReviewedAt'>, asOf: Date = new Date(DEMO_REFERENCE_DATE)): boolean {
  return asOf.getTime() - Date.parse(article.lastReviewedAt) > STALE_AFTER_DAYS * 86_400_000;
}
