import { z } from 'zod';

/**
 * The `scores` rows the KB audit reads to find the articles most often cited by unsupported answers,
 * and the shape of their `details` JSON. The evaluation pipeline writes one row per judged answer
 * (a turn where the agent answered from the KB):
 *
 * | column | value |
 * | --- | --- |
 * | `metric` | `'hallucination'` (HALLUCINATION_METRIC) |
 * | `value` | 1 when the grounding checker judged the answer unsupported (a hallucination), 0 when supported: the hallucination rate is `avg(value)` |
 * | `evaluator_version` | the checker's `scorer` (e.g. `grounding-v1`) |
 * | `details` | JSON, `HallucinationScoreDetails` below |
 *
 * `details.citations` is what the answer cited: `composeAnswer(...).citations` fits as it is
 * (`articleId`, `version`, `start`, `end`, `slug`, `title`; the extra keys are ignored). Write the
 * `slug` too: ClickHouse details pass through PII redaction, which can mistake a run of digits in a
 * UUID for a card number, and the audit then falls back to the slug.
 */

export const HALLUCINATION_METRIC = 'hallucination';

export const HallucinationCitation = z.object({
  articleId: z.string().min(1).max(200),
  slug: z.string().max(200).optional(),
  version: z.number().int().nonnegative().optional(),
});
export type HallucinationCitation = z.infer<typeof HallucinationCitation>;

export const HallucinationScoreDetails = z.object({
  /** The checker's verdict: false = unsupported (the row's value is 1). */
  supported: z.boolean(),
  /** The checker's score, 0..1 (checkGrounding(...).score). */
  score: z.number().min(0).max(1).optional(),
  /** The threshold the verdict used. */
  threshold: z.number().min(0).max(1).optional(),
  /** Scorer version (checkGrounding(...).scorer), e.g. 'grounding-v1'. */
  scorer: z.string().max(100).optional(),
  /** The KB article versions the answer cited (several citations of one article count once). */
  citations: z.array(HallucinationCitation).max(100).default([]),
  /** Unsupported spans of the answer (checkGrounding(...).unsupportedSpans, text optional). */
  unsupportedSpans: z
    .array(z.object({ start: z.number().int().nonnegative(), end: z.number().int().nonnegative(), reason: z.string().max(100), text: z.string().max(2000).optional() }))
    .max(100)
    .optional(),
});
export type HallucinationScoreDetails = z.infer<typeof HallucinationScoreDetails>;
export type HallucinationScoreDetailsInput = z.input<typeof HallucinationScoreDetails>;

/** A `scores` row as read back: `details` as stored (a JSON string) or already parsed. */
export interface HallucinationScoreRow {
  value: number;
  details: string | unknown;
  callId?: string;
  turnIndex?: number;
  scoredAt?: Date | string;
}

export interface CitedArticle {
  /** The article id (or, for a citation the KB no longer has, the id as cited). */
  articleId: string;
  slug: string | null;
  title: string | null;
  /** False when the cited article is not in the KB (deleted, or another tenant's id). */
  known: boolean;
  /** Unsupported answers citing it. */
  unsupported: number;
  /** Answers citing it that were judged at all. */
  cited: number;
  /** unsupported / cited. */
  unsupportedRate: number;
  /** Versions cited by the unsupported answers, newest first. */
  versions: number[];
}

export interface MostCitedReport {
  /** Hallucination score rows read. */
  scored: number;
  /** Of those, answers judged unsupported. */
  unsupported: number;
  /** Unsupported answers that cited no article. */
  unsupportedWithoutCitations: number;
  /** Rows whose details did not match HallucinationScoreDetails (counted by value alone, no citations). */
  invalidDetails: number;
  items: CitedArticle[];
}

/** Parse one row's details; undefined when they do not match the schema. */
export function parseHallucinationDetails(details: unknown): HallucinationScoreDetails | undefined {
  let value = details;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      return undefined;
    }
  }
  const parsed = HallucinationScoreDetails.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

/**
 * Articles ranked by how many unsupported answers cited them (then by their unsupported rate).
 * An answer is unsupported when `details.supported` is false; rows whose details do not parse fall
 * back to `value >= 0.5`. Citations are matched to `articles` by id, then by slug.
 */
export function mostCitedInUnsupported(
  rows: readonly HallucinationScoreRow[],
  articles: ReadonlyArray<{ id: string; slug?: string; title: string }>,
  options: { limit?: number } = {},
): MostCitedReport {
  const limit = Math.max(1, options.limit ?? 20);
  const byId = new Map(articles.map((a) => [a.id, a]));
  const bySlug = new Map(articles.filter((a) => a.slug).map((a) => [a.slug!, a]));
  const stats = new Map<string, CitedArticle>();
  let unsupported = 0;
  let withoutCitations = 0;
  let invalid = 0;
  for (const row of rows) {
    const details = parseHallucinationDetails(row.details);
    if (!details) invalid++;
    const isUnsupported = details ? !details.supported : Number(row.value) >= 0.5;
    if (isUnsupported) unsupported++;
    const cited = new Map<string, number[]>();
    for (const c of details?.citations ?? []) {
      const article = byId.get(c.articleId) ?? (c.slug ? bySlug.get(c.slug) : undefined);
      const key = article?.id ?? c.articleId;
      const versions = cited.get(key) ?? [];
      if (c.version !== undefined) versions.push(c.version);
      cited.set(key, versions);
    }
    if (isUnsupported && cited.size === 0) withoutCitations++;
    for (const [key, versions] of cited) {
      let s = stats.get(key);
      if (!s) {
        const article = byId.get(key);
        s = { articleId: key, slug: article?.slug ?? null, title: article?.title ?? null, known: article !== undefined, unsupported: 0, cited: 0, unsupportedRate: 0, versions: [] };
        stats.set(key, s);
      }
      s.cited++;
      if (isUnsupported) {
        s.unsupported++;
        for (const v of versions) if (!s.versions.includes(v)) s.versions.push(v);
      }
    }
  }
  const items = [...stats.values()]
    .filter((s) => s.unsupported > 0)
    .map((s) => ({ ...s, unsupportedRate: Math.round((s.unsupported / s.cited) * 1e4) / 1e4, versions: [...s.versions].sort((a, b) => b - a) }))
    .sort((a, b) => b.unsupported - a.unsupported || b.unsupportedRate - a.unsupportedRate || (a.articleId < b.articleId ? -1 : 1))
    .slice(0, limit);
  return { scored: rows.length, unsupported, unsupportedWithoutCitations: withoutCitations, invalidDetails: invalid, items };
}

/**
 * The details to write for one judged answer: the grounding checker's result and the answer's
 * citations (e.g. `composeAnswer(...).citations`). Unsupported spans keep offsets and reason only.
 */
export function hallucinationDetails(
  check: { supported: boolean; score: number; scorer: string; unsupportedSpans: ReadonlyArray<{ start: number; end: number; reason: string }> },
  citations: ReadonlyArray<{ articleId: string; slug?: string; version?: number }>,
  threshold?: number,
): HallucinationScoreDetails {
  const seen = new Set<string>();
  const cited: HallucinationCitation[] = [];
  for (const c of citations) {
    const key = `${c.articleId}@${c.version ?? ''}`;
    if (seen.has(key)) continue;
    seen.add(key);
    cited.push({ articleId: c.articleId, ...(c.slug ? { slug: c.slug } : {}), ...(c.version !== undefined ? { version: c.version } : {}) });
  }
  return HallucinationScoreDetails.parse({
    supported: check.supported,
    score: check.score,
    scorer: check.scorer,
    ...(threshold !== undefined ? { threshold } : {}),
    citations: cited.slice(0, 100),
    unsupportedSpans: check.unsupportedSpans.slice(0, 100).map((s) => ({ start: s.start, end: s.end, reason: s.reason })),
  });
}
