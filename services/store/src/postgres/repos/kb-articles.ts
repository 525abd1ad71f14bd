import { and, asc, desc, eq, getTableColumns, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { ArticleStatus } from '@cc/core';
import type { Database } from '../database.ts';
import { kbArticleVersions, kbArticles, users } from '../schema/index.ts';
import { Id, mapConstraintErrors, parseOrThrow, requireId, requireInTenant, requireRow } from './common.ts';
import { Slug } from './tenants.ts';

export type KbArticle = typeof kbArticles.$inferSelect;
export type KbArticleVersion = typeof kbArticleVersions.$inferSelect;
export interface KbArticleOwner {
  id: string;
  name: string;
  email: string;
}
export type KbArticleWithOwner = KbArticle & { owner: KbArticleOwner | null };
export type KbArticleWithVersions = KbArticleWithOwner & { body: string; versions: KbArticleVersion[] };

const Title = z.string().trim().min(1).max(300);
const Body = z.string().min(1).max(200_000);
const Topic = z.string().trim().min(1).max(100);

export const NewKbArticle = z.object({
  slug: Slug,
  title: Title,
  topic: Topic,
  body: Body,
  status: ArticleStatus.default('draft'),
  ownerUserId: Id.optional(),
  editedBy: Id.optional(),
  /** Set when importing articles that were reviewed before (the seed); otherwise use markKbArticleReviewed. */
  lastReviewedAt: z.coerce.date().optional(),
  metadata: z.record(z.string(), z.unknown()).default({}),
});
export type NewKbArticle = z.input<typeof NewKbArticle>;

/** A change to title or body becomes a new version; topic, status and owner change in place. */
export const KbArticleEdit = z
  .object({
    title: Title.optional(),
    body: Body.optional(),
    topic: Topic.optional(),
    status: ArticleStatus.optional(),
    ownerUserId: Id.nullable().optional(),
    metadata: z.record(z.string(), z.unknown()).optional(),
    editedBy: Id.optional(),
  })
  .refine((e) => [e.title, e.body, e.topic, e.status, e.ownerUserId, e.metadata].some((v) => v !== undefined), 'nothing to change');
export type KbArticleEdit = z.input<typeof KbArticleEdit>;

export async function createKbArticle(db: Database, tenantId: string, input: NewKbArticle): Promise<KbArticleWithVersions> {
  requireId('tenant', tenantId);
  const { body, editedBy, ...values } = parseOrThrow(NewKbArticle, input, 'KB article');
  const articleId = await db.transaction(async (tx) => {
    for (const userId of [values.ownerUserId, editedBy]) if (userId) await requireInTenant(tx, users, tenantId, userId, 'user');
    const [article] = await mapConstraintErrors(
      () => tx.insert(kbArticles).values({ ...values, tenantId, currentVersion: 1 }).returning({ id: kbArticles.id }),
      `a KB article with slug ${values.slug} already exists`,
      { slug: values.slug },
    );
    await tx.insert(kbArticleVersions).values({ articleId: article!.id, version: 1, title: values.title, body, editedBy: editedBy ?? null });
    return article!.id;
  });
  return getKbArticle(db, tenantId, articleId);
}

export async function updateKbArticle(db: Database, tenantId: string, articleId: string, edit: KbArticleEdit, now = new Date()): Promise<KbArticleWithVersions> {
  requireId('tenant', tenantId);
  requireId('KB article', articleId);
  const { title, body, editedBy, ...inPlace } = parseOrThrow(KbArticleEdit, edit, 'KB article change');
  await db.transaction(async (tx) => {
    // FOR UPDATE serialises concurrent edits, so two of them cannot both claim version n+1.
    const [article] = await tx
      .select()
      .from(kbArticles)
      .where(and(eq(kbArticles.tenantId, tenantId), eq(kbArticles.id, articleId)))
      .for('update');
    const current = requireRow(article, 'KB article', articleId);
    for (const userId of [inPlace.ownerUserId, editedBy]) if (userId) await requireInTenant(tx, users, tenantId, userId, 'user');
    let currentVersion = current.currentVersion;
    if (title !== undefined || body !== undefined) {
      const [latest] = await tx
        .select({ body: kbArticleVersions.body })
        .from(kbArticleVersions)
        .where(and(eq(kbArticleVersions.articleId, articleId), eq(kbArticleVersions.version, current.currentVersion)));
      currentVersion += 1;
      await tx.insert(kbArticleVersions).values({
        articleId,
        version: currentVersion,
        title: title ?? current.title,
        body: body ?? latest?.body ?? '',
        editedBy: editedBy ?? null,
      });
    }
    await tx
      .update(kbArticles)
      .set({ ...inPlace, title: title ?? current.title, currentVersion, updatedAt: now })
      .where(eq(kbArticles.id, articleId));
  });
  return getKbArticle(db, tenantId, articleId);
}

export async function markKbArticleReviewed(db: Database, tenantId: string, articleId: string, at = new Date()): Promise<KbArticle> {
  requireId('tenant', tenantId);
  requireId('KB article', articleId);
  const [row] = await db
    .update(kbArticles)
    .set({ lastReviewedAt: at })
    .where(and(eq(kbArticles.tenantId, tenantId), eq(kbArticles.id, articleId)))
    .returning();
  return requireRow(row, 'KB article', articleId);
}

const withOwner = { ...getTableColumns(kbArticles), ownerId: users.id, ownerName: users.name, ownerEmail: users.email };

function selectWithOwner(db: Database, where: SQL | undefined) {
  return db
    .select(withOwner)
    .from(kbArticles)
    .leftJoin(users, and(eq(users.id, kbArticles.ownerUserId), eq(users.tenantId, kbArticles.tenantId)))
    .where(where);
}

function toArticleWithOwner({ ownerId, ownerName, ownerEmail, ...article }: Awaited<ReturnType<typeof selectWithOwner>>[number]): KbArticleWithOwner {
  return { ...article, owner: ownerId && ownerName !== null && ownerEmail !== null ? { id: ownerId, name: ownerName, email: ownerEmail } : null };
}

export async function listKbArticles(
  db: Database,
  tenantId: string,
  filter: { status?: z.infer<typeof ArticleStatus>; topic?: string } = {},
): Promise<KbArticleWithOwner[]> {
  requireId('tenant', tenantId);
  const conditions: (SQL | undefined)[] = [eq(kbArticles.tenantId, tenantId)];
  if (filter.status) conditions.push(eq(kbArticles.status, filter.status));
  if (filter.topic) conditions.push(eq(kbArticles.topic, filter.topic));
  const rows = await selectWithOwner(db, and(...conditions)).orderBy(asc(kbArticles.topic), asc(kbArticles.title));
  return rows.map(toArticleWithOwner);
}

/** The article with its owner, the current body and every version (newest first). */
export async function getKbArticle(db: Database, tenantId: string, articleId: string): Promise<KbArticleWithVersions> {
  requireId('tenant', tenantId);
  requireId('KB article', articleId);
  const [row] = await selectWithOwner(db, and(eq(kbArticles.tenantId, tenantId), eq(kbArticles.id, articleId)));
  return withVersions(db, toArticleWithOwner(requireRow(row, 'KB article', articleId)));
}

export async function getKbArticleBySlug(db: Database, tenantId: string, slug: string): Promise<KbArticleWithVersions> {
  requireId('tenant', tenantId);
  const [row] = await selectWithOwner(db, and(eq(kbArticles.tenantId, tenantId), eq(kbArticles.slug, slug)));
  return withVersions(db, toArticleWithOwner(requireRow(row, 'KB article', slug)));
}

async function withVersions(db: Database, article: KbArticleWithOwner): Promise<KbArticleWithVersions> {
  const versions = await db.select().from(kbArticleVersions).where(eq(kbArticleVersions.articleId, article.id)).orderBy(desc(kbArticleVersions.version));
  const body = versions.find((v) => v.version === article.currentVersion)?.body ?? '';
  return { ...article, body, versions };
}
