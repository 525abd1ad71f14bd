import { buildKbArticles, DEMO_REFERENCE_DATE, isStale } from '@cc/seed';
import { describe, expect, it } from 'vitest';
import { findStale, reviewCutoff } from './stale.ts';

describe('findStale', () => {
  const asOf = new Date('2026-11-01T12:00:00.000Z');
  const art = (id: string, lastReviewedAt: string | null, status = 'published') => ({ id, slug: id, title: id.toUpperCase(), body: 'x', lastReviewedAt, status, currentVersion: 2, ownerName: 'Kim', ownerId: 'u1' });

  it('lists articles not reviewed in over 12 months, or never, never-reviewed first, then oldest', () => {
    const report = findStale(
      [
        art('fresh', '2026-10-01T00:00:00.000Z'),
        art('boundary', '2025-11-01T12:00:00.000Z'),
        art('just-over', '2025-11-01T11:59:59.000Z'),
        art('old', '2024-01-01T00:00:00.000Z'),
        art('never', null),
        art('archived', null, 'archived'),
      ],
      { asOf },
    );
    expect(report.cutoff).toBe('2025-11-01T12:00:00.000Z');
    expect(report.considered).toBe(5);
    expect(report.neverReviewed).toBe(1);
    expect(report.items.map((i) => i.id)).toEqual(['never', 'old', 'just-over']);
    expect(report.items[1]).toMatchObject({ daysSinceReview: 1035, ownerName: 'Kim', version: 2, lastReviewedAt: '2024-01-01T00:00:00.000Z' });
  });

  it('counts calendar months (29 February, month ends)', () => {
    expect(reviewCutoff(new Date('2024-02-29T00:00:00Z')).toISOString()).toBe('2023-02-28T00:00:00.000Z');
    expect(reviewCutoff(new Date('2026-03-31T00:00:00Z'), 1).toISOString()).toBe('2026-02-28T00:00:00.000Z');
  });

  it('agrees with the seed on the demo KB', () => {
    const ref = new Date(DEMO_REFERENCE_DATE);
    const kb = buildKbArticles({ asOf: ref });
    const report = findStale(kb.map((a) => ({ id: a.slug, slug: a.slug, title: a.title, body: a.body, status: a.status, lastReviewedAt: a.lastReviewedAt })), { asOf: ref });
    expect(report.items.map((i) => i.id).sort()).toEqual(kb.filter((a) => isStale(a, ref)).map((a) => a.slug).sort());
    expect(report.items.length).toBeGreaterThan(20);
  });
});
