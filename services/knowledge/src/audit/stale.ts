import type { AuditArticle } from './facts.ts';

/**
 * Articles overdue for review: never reviewed, or last reviewed more than `months` calendar months
 * (default 12) before `asOf`. Archived articles are not reviewed and are left out.
 */

export interface StaleOptions {
  /** Reference time (default now). */
  asOf?: Date;
  /** Calendar months after which a review is overdue (default 12). */
  months?: number;
  /** Statuses that need reviews (default every status but 'archived'). */
  statuses?: readonly string[];
}

export interface StaleArticle {
  id: string;
  slug: string;
  title: string;
  topic: string;
  status: string;
  ownerId: string | null;
  ownerName: string | null;
  version: number;
  /** ISO time of the last review, or null when never reviewed. */
  lastReviewedAt: string | null;
  /** Whole days since the last review (null when never reviewed). */
  daysSinceReview: number | null;
}

export interface StaleReport {
  /** The review deadline: articles last reviewed before this are stale. */
  cutoff: string;
  months: number;
  /** Articles considered (archived ones left out). */
  considered: number;
  neverReviewed: number;
  items: StaleArticle[];
}

const DAY_MS = 86_400_000;

/** `asOf` minus `months` calendar months (UTC), clamped to the end of a shorter month. */
export function reviewCutoff(asOf: Date, months = 12): Date {
  const d = new Date(asOf.getTime());
  const day = d.getUTCDate();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() - months);
  const last = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
  d.setUTCDate(Math.min(day, last));
  return d;
}

export function findStale(articles: readonly AuditArticle[], options: StaleOptions = {}): StaleReport {
  const asOf = options.asOf ?? new Date();
  const months = Math.max(1, Math.floor(options.months ?? 12));
  const cutoff = reviewCutoff(asOf, months);
  const considered = articles.filter((a) => (options.statuses ? options.statuses.includes(a.status ?? '') : a.status !== 'archived'));
  const items: StaleArticle[] = [];
  for (const a of considered) {
    const reviewed = toTime(a.lastReviewedAt);
    if (reviewed !== null && reviewed >= cutoff.getTime()) continue;
    items.push({
      id: a.id,
      slug: a.slug ?? '',
      title: a.title,
      topic: a.topic ?? '',
      status: a.status ?? '',
      ownerId: a.ownerId ?? null,
      ownerName: a.ownerName ?? null,
      version: a.version ?? a.currentVersion ?? 0,
      lastReviewedAt: reviewed === null ? null : new Date(reviewed).toISOString(),
      daysSinceReview: reviewed === null ? null : Math.floor((asOf.getTime() - reviewed) / DAY_MS),
    });
  }
  // Never reviewed first, then the longest overdue; ties by title.
  items.sort((x, y) => (y.daysSinceReview ?? Infinity) - (x.daysSinceReview ?? Infinity) || (x.title < y.title ? -1 : x.title > y.title ? 1 : 0));
  return { cutoff: cutoff.toISOString(), months, considered: considered.length, neverReviewed: items.filter((i) => i.lastReviewedAt === null).length, items };
}

function toTime(value: Date | string | null | undefined): number | null {
  if (value === null || value === undefined) return null;
  const t = value instanceof Date ? value.getTime() : Date.parse(value);
  return Number.isFinite(t) ? t : null;
}
