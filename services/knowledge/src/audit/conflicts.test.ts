import { buildKbArticles, DEMO_CONFLICT_ARTICLES } from '@cc/seed';
import { describe, expect, it } from 'vitest';
import { findConflicts, groupConflicts, type ConflictPair } from './conflicts.ts';
import type { AuditArticle } from './facts.ts';

const seed = buildKbArticles();
const kb: AuditArticle[] = seed.map((a) => ({ id: `id-${a.slug}`, slug: a.slug, title: a.title, topic: a.topic, body: a.body, version: 1, status: a.status }));
const bodies = new Map(kb.map((a) => [a.id, a.body]));

/**
 * Ground truth from the seed's `demo_conflict` metadata, which the detector never reads: each demo
 * article and the guideline articles it contradicts (3 + 2 + 2 = 7 article pairs in 3 groups).
 */
const truth = new Set(seed.flatMap((a) => (a.metadata.conflict?.conflictsWith ?? []).map((other) => key(a.slug, other))));
function key(x: string, y: string): string {
  return [x, y].sort().join(' <> ');
}
const pairKey = (p: ConflictPair) => key(p.a.slug, p.b.slug);

describe('findConflicts on the demo KB', () => {
  const pairs = findConflicts(kb);

  it('finds every demo conflict and nothing else (precision and recall 1 on 7 article pairs)', () => {
    expect(truth.size).toBe(7);
    const found = new Set(pairs.map(pairKey));
    const missed = [...truth].filter((k) => !found.has(k));
    const falsePairs = [...found].filter((k) => !truth.has(k));
    expect(missed).toEqual([]);
    expect(falsePairs).toEqual([]);
  });

  it('reports both claims with spans that point at the disputed numbers', () => {
    const byKey = new Map(pairs.map((p) => [pairKey(p), p]));
    const returns = byKey.get(key('returns-quick-reference', 'product-defect-return-stain'))!;
    const values = returns.findings.map((f) => {
      const [guideline, demo] = f.a.slug === 'returns-quick-reference' ? [f.b, f.a] : [f.a, f.b];
      return `${f.qualifiers.join(',')}: ${demo.display} vs ${guideline.display}`;
    });
    expect(values.sort()).toEqual(['bronz: 60 days vs 90 days', 'guest: 14 days vs 30 days', 'silver: 90 days vs 6 months']);

    const fees = byKey.get(key('shipping-fees-at-a-glance', 'shipping-issue-cost'))!;
    expect(fees.findings[0]!).toMatchObject({ dimension: 'money', unit: 'USD', qualifiers: ['standard'] });
    const upgrade = byKey.get(key('shipping-fees-at-a-glance', 'order-issue-manage-upgrade'))!;
    expect(upgrade.findings.map((f) => [f.a.display, f.b.display].sort())).toEqual([['$20', '$25.00']]);
    const promo = byKey.get(key('promo-code-validity', 'purchase-dispute-promo-code-invalid'))!;
    expect(promo.findings[0]!.a.text + promo.findings[0]!.b.text).toMatch(/30 days[\s\S]*7 days|7 days[\s\S]*30 days/);

    for (const p of pairs) {
      for (const f of p.findings) {
        for (const c of [f.a, f.b]) {
          const body = bodies.get(c.articleId)!;
          expect(body.slice(c.valueStart, c.valueEnd).replace(/\*/g, '')).toBe(c.display);
          expect(c.valueStart).toBeGreaterThanOrEqual(c.claimStart);
          expect(c.valueEnd).toBeLessThanOrEqual(c.claimEnd);
        }
        expect(f.a.value).not.toBe(f.b.value);
        expect(f.subject.length).toBeGreaterThan(0);
      }
    }
  });

  it('groups the pairs into the 3 demo conflicts, each with the demo article as the odd one out', () => {
    const groups = groupConflicts(pairs);
    expect(groups).toHaveLength(3);
    expect(groups.map((g) => g.outlier?.slug).sort()).toEqual(DEMO_CONFLICT_ARTICLES.map((d) => d.slug).sort());
    for (const g of groups) {
      const demo = DEMO_CONFLICT_ARTICLES.find((d) => d.slug === g.outlier!.slug)!;
      expect(g.articles.map((a) => a.slug).sort()).toEqual([demo.slug, ...demo.conflict.conflictsWith].sort());
      expect(g.pairCount).toBe(demo.conflict.conflictsWith.length);
    }
  });

  it('finds no conflict among the guideline articles alone', () => {
    expect(findConflicts(kb.filter((a) => !DEMO_CONFLICT_ARTICLES.some((d) => `id-${d.slug}` === a.id)))).toEqual([]);
  });

  it('drops a conflict once the demo article is corrected', () => {
    const fixed = kb.map((a) =>
      a.slug === 'returns-quick-reference'
        ? { ...a, version: 2, body: a.body.replace('**90 days**', '**6 months**').replace('**60 days**', '**90 days**').replace('**14 days**', '**30 days**') }
        : a,
    );
    const after = findConflicts(fixed).map(pairKey);
    expect(after.some((k) => k.includes('returns-quick-reference'))).toBe(false);
    expect(after).toHaveLength(4);
  });

  it('is deterministic whatever the article order', () => {
    const reversed = findConflicts([...kb].reverse());
    expect(reversed).toEqual(pairs);
  });
});

describe('findConflicts on small KBs', () => {
  const art = (id: string, topic: string, body: string, title = id): AuditArticle => ({ id, slug: id, title, topic, body, version: 1 });

  it('flags different values for the same subject and keeps the same value in other units', () => {
    const pairs = findConflicts([
      art('refunds', 'Billing', 'Refunds reach the card within 5 business days.'),
      art('refund-faq', 'Billing', 'A refund reaches the card within 10 business days.'),
      art('refund-eu', 'Billing', 'Refunds reach the card within 2 weeks.'),
      art('warranty', 'Billing', 'The warranty covers defects for 2 years.'),
      art('warranty-faq', 'Billing', 'Warranty: defects are covered for 24 months.'),
    ]);
    expect(pairs.map(pairKey).sort()).toEqual([key('refund-faq', 'refund-eu'), key('refund-faq', 'refunds'), key('refund-eu', 'refunds')].sort());
    const [first] = pairs;
    expect(first!.findings[0]!.subject).toEqual(expect.arrayContaining(['card', 'reach']));
    expect(first!.findings[0]!.subjectWords).toEqual(expect.arrayContaining(['card']));
  });

  it('does not compare different tiers, services or unrelated subjects', () => {
    const pairs = findConflicts([
      art('returns-gold', 'Returns', 'Gold members can return items within 90 days.'),
      art('returns-silver', 'Returns', 'Silver members can return items within 60 days.'),
      art('shipping-standard', 'Shipping', 'Standard shipping costs $8.'),
      art('shipping-overnight', 'Shipping', 'Overnight shipping costs $20.'),
      art('gift-wrap', 'Shipping', 'Gift wrapping costs $5 per item.'),
    ]);
    expect(pairs).toEqual([]);
  });

  it('needs a stronger match across topics and never compares counts across topics', () => {
    const crossTopic = findConflicts([
      art('faq-boots', 'Single item', 'Read through the list of 8 options and select the answer.'),
      art('faq-pricing', 'Storewide', 'Read through the list of 4 options and select the answer.'),
    ]);
    expect(crossTopic).toEqual([]);
    const sameTopic = findConflicts([
      art('faq-boots', 'FAQ', 'Read through the list of 8 options and select the answer.'),
      art('faq-pricing', 'FAQ', 'Read through the list of 4 options and select the answer.'),
    ]);
    expect(sameTopic).toHaveLength(1);
  });

  it('ignores an article that states both values for the subject (cases of one rule)', () => {
    const pairs = findConflicts([
      art('a', 'Promo', 'Promo codes are valid for 7 days.'),
      art('b', 'Promo', 'Promo codes are valid for 7 days; seasonal promo codes are valid for 30 days.'),
    ]);
    expect(pairs).toEqual([]);
  });
});
