import { describe, expect, it } from 'vitest';
import { DEMO_REFERENCE_DATE, KbArticlesSchema, STALE_AFTER_DAYS, buildKbArticles, isStale, kbSnapshotHash } from './kb-articles.ts';
import { buildAbcdFlows } from './flows.ts';

describe('buildKbArticles', () => {
  const articles = buildKbArticles();
  const guideline = articles.filter((a) => a.metadata.source === 'abcd_guidelines');
  const demo = articles.filter((a) => a.metadata.demo_conflict);

  it('has one article per ABCD subflow plus the demo conflicts, and validates', () => {
    expect(guideline).toHaveLength(55);
    expect(demo).toHaveLength(3);
    expect(KbArticlesSchema.safeParse(articles).success).toBe(true);
    expect(new Set(guideline.map((a) => a.topic)).size).toBe(10);
    for (const flow of buildAbcdFlows()) {
      const article = articles.find((a) => a.slug === flow.policy?.kb_article);
      expect(article?.metadata.flow_id).toBe(flow.id);
      expect(article?.body).toBe(flow.policy?.text);
    }
  });

  it('has non-empty, clean Markdown bodies', () => {
    for (const a of articles) {
      expect(a.body.trim().length).toBeGreaterThan(80);
      expect(a.body).not.toMatch(/<or>|\[[A-Z][^\]]*\]|\S {2,}\S/);
    }
    const returns = articles.find((a) => a.slug === 'product-defect-return-size')!;
    expect(returns.title).toBe('Return Due to Size');
    expect(returns.body).toContain('## Steps');
    expect(returns.body).toContain('- Bronze members:\n     - Ask for the purchase date, return possible within the last 90 days');
    expect(returns.body).toContain('*or* Ask if they have a receipt');
  });

  it('spreads review dates over ~24 months so some are stale and some are not', () => {
    const asOf = new Date(DEMO_REFERENCE_DATE);
    const ages = guideline.map((a) => (asOf.getTime() - Date.parse(a.lastReviewedAt)) / 86_400_000);
    expect(Math.min(...ages)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...ages)).toBeLessThanOrEqual(731);
    const stale = articles.filter((a) => isStale(a, asOf));
    expect(stale.length).toBeGreaterThan(15);
    expect(articles.length - stale.length).toBeGreaterThan(15);
    expect(stale.every((a) => ages[guideline.indexOf(a)]! > STALE_AFTER_DAYS)).toBe(true);
    expect(demo.every((a) => !isStale(a, asOf))).toBe(true);
  });

  it('includes demo articles that contradict the guideline articles they name', () => {
    for (const a of demo) {
      expect(a.metadata.conflict?.conflictsWith.length).toBeGreaterThan(0);
      for (const slug of a.metadata.conflict!.conflictsWith) expect(articles.find((x) => x.slug === slug)?.metadata.demo_conflict).toBe(false);
    }
    const returns = articles.find((a) => a.slug === 'returns-quick-reference')!;
    expect(returns.body).toContain('**60 days**');
    expect(articles.find((a) => a.slug === 'product-defect-return-stain')!.body).toContain('within the last 90 days');
    expect(articles.find((a) => a.slug === 'shipping-fees-at-a-glance')!.body).toContain('$10.00');
    expect(articles.find((a) => a.slug === 'shipping-issue-cost')!.body).toContain('Standard shipping is $8.00');
    expect(articles.find((a) => a.slug === 'promo-code-validity')!.body).toContain('30 days');
    expect(articles.find((a) => a.slug === 'purchase-dispute-promo-code-invalid')!.body).toContain('7 days');
    expect(guideline.every((a) => a.metadata.conflict === undefined)).toBe(true);
  });

  it('is deterministic; dates follow asOf while content hashes do not', () => {
    expect(buildKbArticles()).toEqual(articles);
    const later = buildKbArticles({ asOf: new Date('2027-05-01T00:00:00Z') });
    expect(later.map((a) => a.contentHash)).toEqual(articles.map((a) => a.contentHash));
    expect(later[0]!.lastReviewedAt).not.toBe(articles[0]!.lastReviewedAt);
    expect(kbSnapshotHash(later)).toBe(kbSnapshotHash(articles));
    expect(kbSnapshotHash([...articles].reverse())).toBe(kbSnapshotHash(articles));
    const edited = articles.map((a, i) => (i === 0 ? { ...a, body: `${a.body}!` } : a));
    expect(kbSnapshotHash(edited)).not.toBe(kbSnapshotHash(articles));
  });
});
