import { KbIndex } from '../retrieval.ts';
import { mostCitedInUnsupported, type HallucinationScoreRow, type MostCitedReport } from './citations.ts';
import { findConflicts, groupConflicts, type ConflictGroup, type ConflictOptions, type ConflictPair } from './conflicts.ts';
import type { AuditArticle } from './facts.ts';
import { findCoverageGaps, type CallerUtterance, type GapOptions, type GapReport } from './gaps.ts';
import { findStale, type StaleOptions, type StaleReport } from './stale.ts';

/**
 * The whole knowledge-base audit in one call: stale articles, conflicting articles, coverage gaps
 * from caller questions, and the articles most cited by unsupported answers. Pure: the caller reads
 * the articles (Postgres) and the caller turns and hallucination scores (ClickHouse).
 */

export type AuditSection = 'stale' | 'conflicts' | 'gaps' | 'mostCited';
export const AUDIT_SECTIONS: readonly AuditSection[] = ['stale', 'conflicts', 'gaps', 'mostCited'];

export interface KbAuditInput {
  articles: readonly AuditArticle[];
  /** Caller turns of the period (for gaps). */
  callerTurns?: readonly CallerUtterance[];
  /** `scores` rows with metric 'hallucination' of the period (for most-cited). */
  hallucinationScores?: readonly HallucinationScoreRow[];
  /** Reference time for staleness (default now). */
  asOf?: Date;
  /** Sections to compute (default all). */
  sections?: readonly AuditSection[];
  stale?: Omit<StaleOptions, 'asOf'>;
  conflicts?: ConflictOptions;
  gaps?: GapOptions;
  mostCitedLimit?: number;
}

export interface ConflictReport {
  /** Articles compared (archived ones left out). */
  compared: number;
  pairs: ConflictPair[];
  groups: ConflictGroup[];
}

export interface KbAuditReport {
  asOf: string;
  articles: number;
  stale?: StaleReport;
  conflicts?: ConflictReport;
  gaps?: GapReport;
  mostCited?: MostCitedReport;
  /** Milliseconds per section. */
  timings: Partial<Record<AuditSection, number>>;
}

export function runKbAudit(input: KbAuditInput): KbAuditReport {
  const asOf = input.asOf ?? new Date();
  const sections = new Set(input.sections ?? AUDIT_SECTIONS);
  const report: KbAuditReport = { asOf: asOf.toISOString(), articles: input.articles.length, timings: {} };
  const time = <T>(section: AuditSection, fn: () => T): T => {
    const start = performance.now();
    const result = fn();
    report.timings[section] = Math.round((performance.now() - start) * 10) / 10;
    return result;
  };
  const live = input.articles.filter((a) => a.status !== 'archived');

  if (sections.has('stale')) report.stale = time('stale', () => findStale(input.articles, { ...input.stale, asOf }));
  if (sections.has('conflicts')) {
    report.conflicts = time('conflicts', () => {
      const pairs = findConflicts(live, input.conflicts);
      return { compared: live.length, pairs, groups: groupConflicts(pairs) };
    });
  }
  if (sections.has('gaps')) {
    report.gaps = time('gaps', () => {
      // The agent answers from published articles only: so does this check.
      const published = input.articles.map((a) => ({ id: a.id, slug: a.slug ?? '', title: a.title, topic: a.topic ?? '', body: a.body, version: a.version ?? a.currentVersion ?? 0, status: a.status ?? 'published' }));
      const index = KbIndex.build(published);
      const background = published.filter((a) => a.status === 'published').map((a) => `${a.title}\n${a.body}`);
      return findCoverageGaps(index, input.callerTurns ?? [], { background, ...input.gaps });
    });
  }
  if (sections.has('mostCited')) {
    report.mostCited = time('mostCited', () => mostCitedInUnsupported(input.hallucinationScores ?? [], input.articles, { limit: input.mostCitedLimit ?? 20 }));
  }
  return report;
}
