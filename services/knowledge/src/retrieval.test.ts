import { buildKbArticles } from '@cc/seed';
import { ValidationError } from '@cc/core';
import { describe, expect, it } from 'vitest';
import { KbIndex, type KbDocument } from './retrieval.ts';

const kb: KbDocument[] = buildKbArticles().map((a) => ({ id: a.slug, slug: a.slug, title: a.title, topic: a.topic, body: a.body, version: 1, status: a.status }));
const index = KbIndex.build(kb);

describe('KbIndex.search', () => {
  // Paraphrased customer questions → the demo article that covers them (in the top 3 articles).
  const cases: [string, string][] = [
    ['I forgot my password and cannot log in', 'account-access-recover-password'],
    ["what's my username again?", 'account-access-recover-username'],
    ['I need to reset my two-factor authentication', 'account-access-reset-2fa'],
    ['the site is super slow today', 'troubleshoot-site-slow-speed'],
    ['the things I put in my cart do not show up', 'troubleshoot-site-shopping-cart'],
    ['my credit card keeps getting rejected on your site', 'troubleshoot-site-credit-card'],
    ['can I get overnight shipping for my order?', 'order-issue-manage-upgrade'],
    ['I want to cancel my order', 'order-issue-manage-cancel'],
    ['the shipping fee is way too high, can you waive it?', 'shipping-issue-cost'],
    ['my promo code is rejected at checkout', 'purchase-dispute-promo-code-invalid'],
    ['I need to update the phone number on my account', 'manage-account-manage-change-phone'],
    ['there is a charge on my order I do not recognise, a mystery fee', 'order-issue-status-mystery-fee'],
    ['I want a refund for a defective item', 'product-defect-refund-initiate'],
    ['how do I pay my subscription bill', 'subscription-inquiry-manage-pay-bill'],
  ];
  it.each(cases)('%s → %s', (question, slug) => {
    const hits = index.search(question, 6);
    const articles = [...new Set(hits.map((h) => h.articleId))].slice(0, 3);
    expect(articles).toContain(slug);
  });

  it('returns passages with article id, version, offsets into the body and a score', () => {
    const [hit] = index.search('how much is standard shipping', 1);
    expect(hit).toBeDefined();
    const article = kb.find((a) => a.id === hit!.articleId)!;
    expect(hit!.version).toBe(1);
    expect(article.body.slice(hit!.start, hit!.end)).toBe(hit!.text);
    expect(hit!.score).toBeGreaterThan(0);
    expect(hit!.coverage).toBeGreaterThan(0);
    expect(hit!.coverage).toBeLessThanOrEqual(1);
  });

  it('ranks best first and is deterministic', () => {
    const a = index.search('return an item because of a stain', 10);
    const b = KbIndex.build([...kb].reverse()).search('return an item because of a stain', 10);
    expect(a.map((h) => h.score)).toEqual([...a.map((h) => h.score)].sort((x, y) => y - x));
    expect(b).toEqual(a);
  });

  it('is fast: a query takes well under a few milliseconds on the demo KB', () => {
    const queries = ['how much is shipping', 'reset my password', 'the website is slow', 'promo code expired', 'change my address'];
    const start = performance.now();
    for (let i = 0; i < 500; i++) index.search(queries[i % queries.length]!, 5);
    expect((performance.now() - start) / 500).toBeLessThan(5);
  });

  it('never throws on odd queries', () => {
    for (const q of ['', '   ', '?!', '退货政策是什么', 'x'.repeat(100_000), '🙂🙂', 'wie spät ist es', null as unknown as string]) {
      expect(() => index.search(q, 5)).not.toThrow();
    }
    expect(index.search('', 5)).toEqual([]);
    expect(index.search('shipping', 0)).toEqual([]);
  });
});

describe('KbIndex updates', () => {
  it('rebuilds an article when it changes, and drops removed ones', () => {
    const idx = KbIndex.build(kb.slice(0, 5));
    const size = idx.size;
    const target = kb[0]!;
    expect(idx.search('zeppelin hangar', 3)).toEqual([]);

    expect(idx.upsert({ ...target, version: 2, body: `${target.body}\nZeppelin hangar access requires a blue badge.\n` })).toBe('updated');
    const [hit] = idx.search('zeppelin hangar', 3);
    expect(hit?.articleId).toBe(target.id);
    expect(hit?.version).toBe(2);
    expect(hit?.text).toContain('Zeppelin');

    expect(idx.upsert({ ...target, version: 2, body: `${target.body}\nZeppelin hangar access requires a blue badge.\n` })).toBe('unchanged');
    expect(idx.sync(kb.slice(1, 5))).toEqual({ added: 0, updated: 0, removed: 1, unchanged: 4 });
    expect(idx.search('zeppelin hangar', 3)).toEqual([]);
    expect(idx.size.articles).toBe(size.articles - 1);
    expect(idx.sync(kb.slice(0, 5))).toEqual({ added: 1, updated: 0, removed: 0, unchanged: 4 });
    expect(idx.size).toEqual(size);
  });

  it('gives the same results after incremental updates as after a fresh build', () => {
    const idx = KbIndex.build(kb.slice(0, 30));
    idx.sync(kb);
    idx.upsert({ ...kb[3]!, version: 7, title: 'Recover a lost password' });
    const fresh = KbIndex.build(kb.map((a, i) => (i === 3 ? { ...a, version: 7, title: 'Recover a lost password' } : a)));
    for (const q of ['lost password', 'shipping cost', 'membership levels', 'promo code']) expect(idx.search(q, 8)).toEqual(fresh.search(q, 8));
  });

  it('indexes only published articles when a status is given', () => {
    const idx = KbIndex.build([{ ...kb[0]!, status: 'draft' }, kb[1]!]);
    expect(idx.search('username', 5).every((h) => h.articleId !== kb[0]!.id)).toBe(true);
    expect(idx.size.articles).toBe(1);
  });

  it('accepts the store shape (currentVersion) and rejects malformed articles with a ValidationError', () => {
    const idx = new KbIndex();
    idx.upsert({ id: 'a1', slug: 'a1', title: 'T', topic: 'x', body: 'Standard shipping is $8.', currentVersion: 3 });
    expect(idx.search('standard shipping', 1)[0]?.version).toBe(3);
    expect(() => idx.upsert({ id: '', title: 'x', body: 'y', version: 1 } as KbDocument)).toThrow(ValidationError);
  });

  it('rebuilds the whole demo KB cheaply', () => {
    const start = performance.now();
    KbIndex.build(kb);
    expect(performance.now() - start).toBeLessThan(2000);
  });
});
