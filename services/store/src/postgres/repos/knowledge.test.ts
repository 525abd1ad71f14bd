import { expect, it } from 'vitest';
import { ConflictError, NotFoundError, ValidationError } from '@cc/core';
import { describeOnBothDrivers } from '../test-support.ts';
import { insertCustomers, findCustomerByAccountId, findCustomerByEmail, findCustomerByPhone, type NewCustomer } from './customers.ts';
import { createKbArticle, getKbArticle, getKbArticleBySlug, listKbArticles, markKbArticleReviewed, updateKbArticle } from './kb-articles.ts';
import { createUser } from './users.ts';

const customer = (n: number, extra: Partial<NewCustomer> = {}): NewCustomer => ({
  externalId: `CRM-${String(n).padStart(6, '0')}`,
  fullName: `Customer ${n}`,
  email: `customer${n}@example.com`,
  accountId: `ACC${String(n).padStart(7, '0')}`,
  membershipLevel: 'gold',
  orders: [{ orderId: `${1_000_000_000 + n}`, status: 'delivered', total: 42, product: 'boots' }],
  ...extra,
});

describeOnBothDrivers('knowledge base and customers', ({ db, tenantA, tenantB }) => {
  it('creates an article at version 1 and turns each edit of the text into a new version', async () => {
    const a = tenantA().id;
    const owner = await createUser(db(), a, { email: 'kb-owner@example.com', name: 'Kim', role: 'supervisor' });
    const created = await createKbArticle(db(), a, { slug: 'refund-policy', title: 'Refunds', topic: 'Returns', body: 'Within 30 days.', ownerUserId: owner.id, editedBy: owner.id });
    expect(created).toMatchObject({ currentVersion: 1, body: 'Within 30 days.', owner: { id: owner.id, name: 'Kim' } });
    expect(created.versions.map((v) => v.version)).toEqual([1]);

    const edited = await updateKbArticle(db(), a, created.id, { body: 'Within 60 days.', editedBy: owner.id });
    expect(edited).toMatchObject({ currentVersion: 2, title: 'Refunds', body: 'Within 60 days.' });
    expect(edited.versions.map((v) => [v.version, v.body])).toEqual([
      [2, 'Within 60 days.'],
      [1, 'Within 30 days.'],
    ]);
    const retitled = await updateKbArticle(db(), a, created.id, { title: 'Refund policy' });
    expect(retitled).toMatchObject({ currentVersion: 3, title: 'Refund policy', body: 'Within 60 days.' });

    // Status and topic change in place, without a version.
    const published = await updateKbArticle(db(), a, created.id, { status: 'published', topic: 'Billing' });
    expect(published).toMatchObject({ currentVersion: 3, status: 'published', topic: 'Billing' });
    await expect(updateKbArticle(db(), a, created.id, {})).rejects.toBeInstanceOf(ValidationError);
  });

  it('keeps versions consistent under concurrent edits', async () => {
    const a = tenantA().id;
    const article = await createKbArticle(db(), a, { slug: 'busy', title: 'Busy', topic: 'Ops', body: 'v1' });
    await Promise.all([2, 3, 4, 5].map((n) => updateKbArticle(db(), a, article.id, { body: `edit ${n}` })));
    const after = await getKbArticle(db(), a, article.id);
    expect(after.currentVersion).toBe(5);
    expect(after.versions.map((v) => v.version)).toEqual([5, 4, 3, 2, 1]);
  });

  it('lists articles with their owner, marks reviews, rejects duplicate slugs', async () => {
    const a = tenantA().id;
    const article = await createKbArticle(db(), a, { slug: 'shipping', title: 'Shipping', topic: 'Orders', body: 'Five days.', metadata: { source: 'demo' } });
    await expect(createKbArticle(db(), a, { slug: 'shipping', title: 'Again', topic: 'Orders', body: 'x' })).rejects.toBeInstanceOf(ConflictError);
    const reviewedAt = new Date('2026-01-02T03:04:05.678Z');
    expect((await markKbArticleReviewed(db(), a, article.id, reviewedAt)).lastReviewedAt).toEqual(reviewedAt);
    const listed = await listKbArticles(db(), a, { topic: 'Orders' });
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ slug: 'shipping', owner: null, metadata: { source: 'demo' }, lastReviewedAt: reviewedAt });
    expect((await getKbArticleBySlug(db(), a, 'shipping')).id).toBe(article.id);
  });

  it('keeps one tenant’s articles away from another', async () => {
    const a = tenantA().id;
    const b = tenantB().id;
    const article = await createKbArticle(db(), a, { slug: 'private', title: 'Private', topic: 'Secrets', body: 'A only.' });
    await expect(getKbArticle(db(), b, article.id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(getKbArticleBySlug(db(), b, 'private')).rejects.toBeInstanceOf(NotFoundError);
    await expect(updateKbArticle(db(), b, article.id, { body: 'B was here' })).rejects.toBeInstanceOf(NotFoundError);
    await expect(markKbArticleReviewed(db(), b, article.id)).rejects.toBeInstanceOf(NotFoundError);
    expect(await listKbArticles(db(), b)).toEqual([]);
    // Nor can an owner from another tenant be attached.
    const outsider = await createUser(db(), b, { email: 'outsider@example.com', name: 'Out', role: 'admin' });
    await expect(updateKbArticle(db(), a, article.id, { ownerUserId: outsider.id })).rejects.toBeInstanceOf(NotFoundError);
    const same = await getKbArticle(db(), a, article.id);
    expect(same).toMatchObject({ currentVersion: 1, body: 'A only.', owner: null });
  });

  it('bulk-inserts customers and finds them by account id or email, per tenant', async () => {
    const a = tenantA().id;
    const many = Array.from({ length: 1200 }, (_, i) => customer(i + 1));
    expect(await insertCustomers(db(), a, many)).toBe(1200);
    const found = await findCustomerByAccountId(db(), a, 'ACC0000007');
    expect(found).toMatchObject({ externalId: 'CRM-000007', orders: [{ orderId: '1000000007', status: 'delivered', total: 42, product: 'boots' }] });
    expect((await findCustomerByEmail(db(), a, 'Customer8@EXAMPLE.com'))?.externalId).toBe('CRM-000008');

    expect(await findCustomerByAccountId(db(), tenantB().id, 'ACC0000007')).toBeNull();
    expect(await findCustomerByEmail(db(), tenantB().id, 'customer8@example.com')).toBeNull();
  });

  it('finds a caller by number whatever the formatting (last 10 digits), per tenant', async () => {
    const a = tenantA().id;
    await insertCustomers(db(), a, [customer(5001, { phone: '(415) 555-0142' })]);
    expect((await findCustomerByPhone(db(), a, '+1 415 555 0142'))?.externalId).toBe('CRM-005001');
    expect((await findCustomerByPhone(db(), a, '14155550142'))?.externalId).toBe('CRM-005001');
    expect(await findCustomerByPhone(db(), a, '+1 415 555 0143')).toBeNull();
    expect(await findCustomerByPhone(db(), a, 'anonymous')).toBeNull();
    expect(await findCustomerByPhone(db(), tenantB().id, '+1 415 555 0142')).toBeNull();
  });

  it('inserts all customers or none; a re-run can skip existing ones', async () => {
    const b = tenantB().id;
    await expect(insertCustomers(db(), b, [customer(9001), customer(9001)])).rejects.toBeInstanceOf(ConflictError);
    expect(await findCustomerByAccountId(db(), b, 'ACC0009001')).toBeNull();
    expect(await insertCustomers(db(), b, [customer(9001)])).toBe(1);
    expect(await insertCustomers(db(), b, [customer(9001), customer(9002)], { onConflict: 'skip' })).toBe(1);
    await expect(insertCustomers(db(), b, [customer(9003, { email: 'not-an-email' })])).rejects.toBeInstanceOf(ValidationError);
  });
});
