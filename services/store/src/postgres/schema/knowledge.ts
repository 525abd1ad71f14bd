import { index, integer, jsonb, pgTable, text, unique, uuid } from 'drizzle-orm/pg-core';
import { createdAt, primaryId, timestamptz, updatedAt } from './columns.ts';
import { articleStatus } from './enums.ts';
import { tenants, users } from './tenancy.ts';

export const kbArticles = pgTable(
  'kb_articles',
  {
    id: primaryId(),
    tenantId: uuid('tenant_id').notNull().references(() => tenants.id, { onDelete: 'cascade' }),
    slug: text('slug').notNull(),
    title: text('title').notNull(),
    topic: text('topic').notNull(),
    ownerUserId: uuid('owner_user_id').references(() => users.id, { onDelete: 'set null' }),
    status: articleStatus('status').notNull().default('draft'),
    currentVersion: integer('current_version').notNull().default(1),
    lastReviewedAt: timestamptz('last_reviewed_at'),
    // Provenance and flags (source, licence, known conflicts) used by the KB audit.
    metadata: jsonb('metadata').$type<Record<string, unknown>>().notNull().default({}),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    unique('kb_articles_tenant_slug_key').on(t.tenantId, t.slug),
    index('kb_articles_tenant_idx').on(t.tenantId, t.updatedAt),
  ],
);

/** Every edit of title or body is a new row; the article points at the latest via current_version. */
export const kbArticleVersions = pgTable(
  'kb_article_versions',
  {
    id: primaryId(),
    articleId: uuid('article_id').notNull().references(() => kbArticles.id, { onDelete: 'cascade' }),
    version: integer('version').notNull(),
    title: text('title').notNull(),
    body: text('body').notNull(),
    editedBy: uuid('edited_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
  },
  (t) => [unique('kb_article_versions_article_version_key').on(t.articleId, t.version)],
);
