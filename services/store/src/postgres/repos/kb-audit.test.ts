import { expect, it } from 'vitest';
import { describeOnBothDrivers } from '../test-support.ts';
import { createKbArticle, updateKbArticle } from './kb-articles.ts';
import { listKbArticlesForAudit } from './kb-audit.ts';
import { createUser } from './users.ts';

describeOnBothDrivers('KB audit reads', ({ db, tenantA, tenantB }) => {
  it('lists every article of the tenant with its owner and current body, in one query', async () => {
    const a = tenantA().id;
    const owner = await createUser(db(), a, { email: 'audit-owner@example.com', name: 'Ada', role: 'supervisor' });
    const first = await createKbArticle(db(), a, { slug: 'returns', title: 'Returns', topic: 'Orders', body: 'Within 30 days.', ownerUserId: owner.id, status: 'published' });
    await updateKbArticle(db(), a, first.id, { body: 'Within 60 days.' });
    await createKbArticle(db(), a, { slug: 'archive', title: 'Archive', topic: 'Orders', body: 'Old.', status: 'archived' });
    await createKbArticle(db(), tenantB().id, { slug: 'returns', title: 'Returns B', topic: 'Orders', body: 'Other tenant.' });

    const listed = await listKbArticlesForAudit(db(), a);
    expect(listed.map((x) => [x.slug, x.currentVersion, x.body, x.status, x.owner?.name ?? null])).toEqual([
      ['archive', 1, 'Old.', 'archived', null],
      ['returns', 2, 'Within 60 days.', 'published', 'Ada'],
    ]);
    expect(await listKbArticlesForAudit(db(), tenantB().id)).toHaveLength(1);
  });
});
