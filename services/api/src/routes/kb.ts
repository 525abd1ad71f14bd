import { z } from 'zod';
import { ArticleStatus } from '@cc/core';
import { KbArticleEdit, NewKbArticle, createKbArticle, getKbArticle, listKbArticles, markKbArticleReviewed, updateKbArticle, type KbArticleWithOwner } from '@cc/store/postgres';
import { audit } from '../audit.ts';
import { jsonBody, queryParams } from '../request.ts';
import { ALL_ROLES, MANAGERS, type Routes } from '../route-table.ts';
import type { ApiDeps } from '../deps.ts';

const ListQuery = z.object({ status: ArticleStatus.optional(), topic: z.string().max(100).optional() });

function articleSummary(a: KbArticleWithOwner) {
  return {
    id: a.id,
    slug: a.slug,
    title: a.title,
    topic: a.topic,
    status: a.status,
    ownerName: a.owner?.name ?? null,
    ownerId: a.owner?.id ?? null,
    currentVersion: a.currentVersion,
    lastReviewedAt: a.lastReviewedAt,
    updatedAt: a.updatedAt,
  };
}

export function kbRoutes(deps: ApiDeps, routes: Routes) {
  const db = deps.db.db;
  routes.add({ method: 'GET', path: '/v1/kb/articles', roles: ALL_ROLES, summary: 'List knowledge-base articles' }, async (c) => {
    const filter = queryParams(c, ListQuery);
    const items = await listKbArticles(db, c.get('principal').tenantId, filter);
    return c.json({ items: items.map(articleSummary) });
  });
  routes.add({ method: 'GET', path: '/v1/kb/articles/:id', roles: ALL_ROLES, summary: 'An article with its versions' }, async (c) => {
    return c.json(await getKbArticle(db, c.get('principal').tenantId, c.req.param('id')!));
  });
  routes.add({ method: 'POST', path: '/v1/kb/articles', roles: MANAGERS, summary: 'Create an article (version 1)' }, async (c) => {
    // Who edited is the caller, never what the body claims.
    const { editedBy: _claimed, ...input } = await jsonBody(c, NewKbArticle);
    const p = c.get('principal');
    const article = await db.transaction(async (tx) => {
      const a = await createKbArticle(tx, p.tenantId, { ...input, ...(p.userId ? { editedBy: p.userId } : {}) });
      await audit(c, tx, { action: 'kb_article.created', entityType: 'kb_article', entityId: a.id, details: { slug: a.slug } });
      return a;
    });
    return c.json(article, 201);
  });
  routes.add({ method: 'PATCH', path: '/v1/kb/articles/:id', roles: MANAGERS, summary: 'Edit an article (a new version when title or body change)' }, async (c) => {
    const { editedBy: _claimed, ...edit } = await jsonBody(c, KbArticleEdit);
    const p = c.get('principal');
    const article = await db.transaction(async (tx) => {
      const a = await updateKbArticle(tx, p.tenantId, c.req.param('id')!, { ...edit, ...(p.userId ? { editedBy: p.userId } : {}) });
      await audit(c, tx, { action: 'kb_article.edited', entityType: 'kb_article', entityId: a.id, details: { version: a.currentVersion, fields: Object.keys(edit) } });
      return a;
    });
    return c.json(article);
  });
  routes.add({ method: 'POST', path: '/v1/kb/articles/:id/reviewed', roles: MANAGERS, summary: 'Mark an article reviewed now' }, async (c) => {
    const article = await db.transaction(async (tx) => {
      const a = await markKbArticleReviewed(tx, c.get('principal').tenantId, c.req.param('id')!);
      await audit(c, tx, { action: 'kb_article.reviewed', entityType: 'kb_article', entityId: a.id });
      return a;
    });
    return c.json(article);
  });
}
