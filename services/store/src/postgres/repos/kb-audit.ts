import { and, asc, eq } from 'drizzle-orm';
import { kbArticleVersions, kbArticles, users } from '../schema/index.ts';
import type { Database } from '../database.ts';
import type { KbArticleWithOwner } from './kb-articles.ts';
import { requireId } from './common.ts';

/** An article with its owner and the body of its current version (what the KB audit reads). */
export type KbArticleForAudit = KbArticleWithOwner & { body: string };

/**
 * Every article of the tenant with its owner and current body, in one query (the current version's
 * row joined on current_version), ordered by topic and title. For the KB audit, which compares
 * whole bodies; `listKbArticles` stays the light list without bodies.
 */
export async function listKbArticlesForAudit(db: Database, tenantId: string): Promise<KbArticleForAudit[]> {
  requireId('tenant', tenantId);
  const rows = await db
    .select({ article: kbArticles, body: kbArticleVersions.body, ownerId: users.id, ownerName: users.name, ownerEmail: users.email })
    .from(kbArticles)
    .leftJoin(kbArticleVersions, and(eq(kbArticleVersions.articleId, kbArticles.id), eq(kbArticleVersions.version, kbArticles.currentVersion)))
    .leftJoin(users, and(eq(users.id, kbArticles.ownerUserId), eq(users.tenantId, kbArticles.tenantId)))
    .where(eq(kbArticles.tenantId, tenantId))
    .orderBy(asc(kbArticles.topic), asc(kbArticles.title), asc(kbArticles.id));
  return rows.map(({ article, body, ownerId, ownerName, ownerEmail }) => ({
    ...article,
    body: body ?? '',
    owner: ownerId && ownerName !== null && ownerEmail !== null ? { id: ownerId, name: ownerName, email: ownerEmail } : null,
  }));
}
