import { buildKbArticles, DEMO_REFERENCE_DATE } from '@cc/seed';
import { describe, expect, it } from 'vitest';
import { runKbAudit } from './audit.ts';

describe('runKbAudit', () => {
  const kb = buildKbArticles().map((a) => ({ id: `id-${a.slug}`, slug: a.slug, title: a.title, topic: a.topic, body: a.body, version: 1, status: a.status, lastReviewedAt: a.lastReviewedAt }));

  it('runs the four sections over the demo KB', () => {
    const report = runKbAudit({
      articles: kb,
      asOf: new Date(DEMO_REFERENCE_DATE),
      callerTurns: [{ text: 'do you ship to canada', callId: 'c1' }],
      hallucinationScores: [{ value: 1, details: { supported: false, citations: [{ articleId: 'id-shipping-fees-at-a-glance', version: 1 }] } }],
    });
    expect(report.articles).toBe(58);
    expect(report.stale!.items.length).toBeGreaterThan(20);
    expect(report.conflicts).toMatchObject({ compared: 58 });
    expect(report.conflicts!.pairs).toHaveLength(7);
    expect(report.conflicts!.groups).toHaveLength(3);
    expect(report.gaps).toMatchObject({ questions: 1, unanswered: 1 });
    expect(report.mostCited!.items[0]).toMatchObject({ slug: 'shipping-fees-at-a-glance', unsupported: 1 });
    expect(Object.keys(report.timings).sort()).toEqual(['conflicts', 'gaps', 'mostCited', 'stale']);
  });

  it('computes only the sections asked for, and leaves archived articles out of conflicts', () => {
    const archived = kb.map((a) => (a.slug === 'returns-quick-reference' ? { ...a, status: 'archived' } : a));
    const report = runKbAudit({ articles: archived, sections: ['conflicts'] });
    expect(report.stale).toBeUndefined();
    expect(report.gaps).toBeUndefined();
    expect(report.conflicts!.pairs).toHaveLength(4);
  });
});
