import { buildKbArticles } from '@cc/seed';
import { describe, expect, it } from 'vitest';
import { GROUNDING_MODEL } from './calibration.ts';
import { checkGrounding } from './grounding.ts';
import { splitClaims } from './grounding-claims.ts';
import { KbIndex } from './retrieval.ts';

const articles = buildKbArticles();
const body = (slug: string) => articles.find((a) => a.slug === slug)!.body;
const source = (slug: string) => [{ text: body(slug), articleId: slug, version: 1 }];

describe('checkGrounding: wrong numbers, fees and day counts', () => {
  it.each([
    ['shipping-issue-cost', 'Standard shipping is $10.', '$10', 'number_not_in_sources'],
    ['order-issue-manage-upgrade', 'Upgrading to overnight shipping costs $25.', '$25', 'number_not_in_sources'],
    ['purchase-dispute-promo-code-invalid', 'Promo codes are valid for 30 days.', '30', 'number_not_in_sources'],
    ['purchase-dispute-promo-code-invalid', 'The new promo code is for 50% off your next purchase.', '50%', 'number_not_in_sources'],
    ['product-defect-return-stain', 'Silver members can return items within 90 days of purchase.', '90', 'number_context_mismatch'],
    ['product-defect-return-stain', 'Bronze members have 30 days to return an order.', '30', 'number_context_mismatch'],
    ['order-issue-manage-upgrade', 'Gold members pay $20 for overnight shipping.', '$20', 'number_context_mismatch'],
  ])('%s: "%s" is flagged at %s', (slug, answer, text, reason) => {
    const r = checkGrounding(answer, source(slug));
    expect(r.supported).toBe(false);
    expect(r.score).toBeLessThan(GROUNDING_MODEL.threshold);
    const span = r.unsupportedSpans.find((s) => s.reason === reason);
    expect(span).toMatchObject({ text });
    expect(answer.slice(span!.start, span!.end)).toBe(text);
    expect(span!.detail.length).toBeGreaterThan(10);
  });

  it('flags a negation the source does not make', () => {
    const r = checkGrounding('Gold members do not get unlimited returns.', source('product-defect-return-stain'));
    expect(r.supported).toBe(false);
    expect(r.unsupportedSpans.map((s) => s.reason)).toContain('contradiction');
  });

  it('flags a name the sources never mention', () => {
    const r = checkGrounding('Standard shipping is handled by FedEx Ground.', source('shipping-issue-cost'));
    expect(r.supported).toBe(false);
    expect(r.unsupportedSpans.some((s) => s.reason === 'entity_not_in_sources' && /FedEx/.test(s.text))).toBe(true);
  });

  it('flags the one bad claim of a longer answer and keeps the good one', () => {
    const r = checkGrounding('Upgrading to overnight shipping costs $20. Gold members pay $35 for it.', source('order-issue-manage-upgrade'));
    expect(r.supported).toBe(false);
    expect(r.claims.map((c) => c.supported)).toEqual([true, false]);
    expect(r.unsupportedSpans.map((s) => s.text)).toEqual(['$35']);
  });
});

describe('checkGrounding: faithful answers', () => {
  it.each([
    ['shipping-issue-cost', 'Standard shipping costs $8.'],
    ['shipping-issue-cost', 'Standard shipping is eight dollars, so I can refund that to you.'],
    ['shipping-issue-cost', 'If your order is still in transit, I can waive the shipping fee.'],
    ['product-defect-return-stain', 'Silver members can return an order within 6 months of purchase.'],
    ['product-defect-return-stain', 'For Gold members, returns are unlimited.'],
    ['product-defect-return-stain', 'Bronze members have 90 days to return an order.'],
    ['product-defect-return-stain', 'Guest members can return within 30 days, or with a receipt.'],
    ['product-defect-return-stain', 'You can return it by mail, in store or at a drop off center.'],
    ['order-issue-manage-upgrade', 'Upgrading to overnight shipping costs $20, and Gold members have the fee waived.'],
    ['order-issue-manage-upgrade', 'If the item is already in transit, the shipping date cannot be changed.'],
    ['purchase-dispute-promo-code-invalid', 'Promotions typically last 7 days.'],
  ])('%s: accepts "%s"', (slug, answer) => {
    const r = checkGrounding(answer, source(slug));
    expect(r).toMatchObject({ supported: true, unsupportedSpans: [] });
    expect(r.score).toBeGreaterThanOrEqual(GROUNDING_MODEL.threshold);
    expect(r.claims.every((c) => c.evidence?.articleId === slug)).toBe(true);
  });

  it('treats a reply without factual content as making no claim', () => {
    expect(checkGrounding('Sure, happy to help!', source('shipping-issue-cost'))).toMatchObject({ supported: true, score: 1, claims: [] });
  });

  it('accepts a claim the cited passage misses but the KB supports (options.kb), and says so', () => {
    const kb = KbIndex.build(articles.map((a) => ({ id: a.slug, slug: a.slug, title: a.title, topic: a.topic, body: a.body, version: 1 })));
    const answer = 'Standard shipping is $8.00.';
    expect(checkGrounding(answer, source('order-issue-manage-upgrade')).supported).toBe(false);
    const r = checkGrounding(answer, source('order-issue-manage-upgrade'), { kb });
    expect(r.supported).toBe(true);
    expect(r.claims[0]!.uncitedEvidence?.articleId).toBe('shipping-issue-cost');
  });
});

describe('checkGrounding: output', () => {
  it('is deterministic and explainable', () => {
    const args = ['Silver members can return items within 90 days. Shipping is free.', source('product-defect-return-stain')] as const;
    const a = checkGrounding(...args);
    expect(checkGrounding(...args)).toEqual(a);
    expect(a.scorer).toBe(GROUNDING_MODEL.version);
    expect(a.score).toBeGreaterThanOrEqual(0);
    expect(a.score).toBeLessThanOrEqual(1);
    for (const c of a.claims) expect(Object.keys(c.features).sort()).toEqual(Object.keys(GROUNDING_MODEL.weights).sort());
  });

  it('never throws on bad input', () => {
    const inputs: [unknown, unknown][] = [
      ['', []],
      ['', ''],
      ['Standard shipping is $8.', []],
      ['Standard shipping is $8.', [{ text: '' }]],
      [null, null],
      [undefined, [null, 3, { text: 42 }]],
      ['退货政策是什么？运费是8美元。', source('shipping-issue-cost')],
      ['Le port standard coûte 8 $.', source('shipping-issue-cost')],
      ['🙂 '.repeat(1000), source('shipping-issue-cost')],
      ['Standard shipping is $8. '.repeat(20_000), 'Standard shipping is $8.'.repeat(50_000)],
      ['1,000,000.5 3.14.15 $ % 0x1F 1e309', '1e309 NaN Infinity'],
    ];
    for (const [answer, sources] of inputs) {
      const r = checkGrounding(answer as string, sources as string);
      expect(r.score).toBeGreaterThanOrEqual(0);
      expect(r.score).toBeLessThanOrEqual(1);
      expect(typeof r.supported).toBe('boolean');
    }
  });

  it('flags everything when there are no sources', () => {
    expect(checkGrounding('Standard shipping is $8.', []).supported).toBe(false);
  });

  it('splits compound sentences into claims', () => {
    expect(splitClaims('It costs $20, and Gold members pay nothing. Returns: 30 days; receipts help.').map((c) => c.text)).toEqual([
      'It costs $20',
      'and Gold members pay nothing.',
      'Returns: 30 days;',
      'receipts help.',
    ]);
  });
});
