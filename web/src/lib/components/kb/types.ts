/**
 * Response shapes of the KB audit API (GET /v1/kb/audit, GET /v1/kb/articles/:id[/diff]), parsed with
 * zod so a contract drift shows as a clear message instead of a broken page. Shared by the KB pages.
 */
import { z } from 'zod';

const Timestamp = z.string();

export const ArticleRef = z.object({ id: z.string(), slug: z.string(), title: z.string() });
export type ArticleRef = z.infer<typeof ArticleRef>;

export const ConflictClaim = z.object({
  articleId: z.string(),
  slug: z.string(),
  title: z.string(),
  version: z.number(),
  display: z.string(),
  value: z.number(),
  comparator: z.string(),
  text: z.string(),
  context: z.array(z.string()),
});
export type ConflictClaim = z.infer<typeof ConflictClaim>;

export const ConflictFinding = z.object({
  dimension: z.string(),
  unit: z.string(),
  subject: z.array(z.string()),
  subjectWords: z.array(z.string()),
  qualifiers: z.array(z.string()),
  similarity: z.number(),
  a: ConflictClaim,
  b: ConflictClaim,
});
export type ConflictFinding = z.infer<typeof ConflictFinding>;

export const ConflictPair = z.object({ a: ArticleRef, b: ArticleRef, score: z.number(), findings: z.array(ConflictFinding) });
export type ConflictPair = z.infer<typeof ConflictPair>;

export const ConflictGroup = z.object({
  id: z.string(),
  articles: z.array(ArticleRef),
  pairCount: z.number(),
  outlier: ArticleRef.nullable(),
  top: ConflictFinding,
  score: z.number(),
});
export type ConflictGroup = z.infer<typeof ConflictGroup>;

export const StaleArticle = z.object({
  id: z.string(),
  slug: z.string(),
  title: z.string(),
  topic: z.string(),
  status: z.string(),
  ownerName: z.string().nullable(),
  version: z.number(),
  lastReviewedAt: Timestamp.nullable(),
  daysSinceReview: z.number().nullable(),
});
export type StaleArticle = z.infer<typeof StaleArticle>;

export const GapCluster = z.object({
  id: z.string(),
  label: z.string(),
  count: z.number(),
  calls: z.number(),
  share: z.number(),
  examples: z.array(z.string()),
  intents: z.array(z.object({ intent: z.string(), count: z.number() })),
  nearest: z.object({ articleId: z.string(), slug: z.string(), title: z.string(), coverage: z.number() }).nullable(),
  firstAt: Timestamp.nullable(),
  lastAt: Timestamp.nullable(),
});
export type GapCluster = z.infer<typeof GapCluster>;

export const CitedArticle = z.object({
  articleId: z.string(),
  slug: z.string().nullable(),
  title: z.string().nullable(),
  known: z.boolean(),
  unsupported: z.number(),
  cited: z.number(),
  unsupportedRate: z.number(),
  versions: z.array(z.number()),
});
export type CitedArticle = z.infer<typeof CitedArticle>;

/** A section the API could not compute (ClickHouse unreadable) says why. */
const SectionError = z.object({ error: z.string() });

export const StaleReport = z.object({ cutoff: Timestamp, months: z.number(), considered: z.number(), neverReviewed: z.number(), items: z.array(StaleArticle) });
export const ConflictReport = z.object({ compared: z.number(), pairs: z.array(ConflictPair), groups: z.array(ConflictGroup) });
export const GapReport = z.object({
  utterances: z.number(),
  questions: z.number(),
  answered: z.number(),
  unanswered: z.number(),
  clusters: z.array(GapCluster),
  clusterCount: z.number(),
  truncated: z.boolean(),
});
export const MostCitedReport = z.object({
  scored: z.number(),
  unsupported: z.number(),
  unsupportedWithoutCitations: z.number(),
  invalidDetails: z.number(),
  items: z.array(CitedArticle),
  truncated: z.boolean(),
});
export type StaleReport = z.infer<typeof StaleReport>;
export type ConflictReport = z.infer<typeof ConflictReport>;
export type GapReport = z.infer<typeof GapReport>;
export type MostCitedReport = z.infer<typeof MostCitedReport>;

export const AuditReport = z.object({
  generatedAt: Timestamp,
  range: z.object({ from: Timestamp, to: Timestamp }),
  articles: z.number(),
  stale: StaleReport.optional(),
  conflicts: ConflictReport.optional(),
  gaps: z.union([GapReport, SectionError]).optional(),
  mostCited: z.union([MostCitedReport, SectionError]).optional(),
});
export type AuditReport = z.infer<typeof AuditReport>;

export const ArticleVersion = z.object({
  version: z.number(),
  title: z.string(),
  body: z.string(),
  editedBy: z.string().nullable(),
  createdAt: Timestamp,
});
export type ArticleVersion = z.infer<typeof ArticleVersion>;

export const ArticleDetail = z.object({
  id: z.string(),
  slug: z.string(),
  title: z.string(),
  topic: z.string(),
  status: z.string(),
  currentVersion: z.number(),
  lastReviewedAt: Timestamp.nullable(),
  updatedAt: Timestamp,
  body: z.string(),
  owner: z.object({ id: z.string(), name: z.string(), email: z.string() }).nullable(),
  versions: z.array(ArticleVersion),
});
export type ArticleDetail = z.infer<typeof ArticleDetail>;

export const DiffLine = z.object({ op: z.enum(['equal', 'add', 'remove']), text: z.string(), oldLine: z.number().optional(), newLine: z.number().optional() });
export type DiffLine = z.infer<typeof DiffLine>;

export const ArticleDiff = z.object({
  articleId: z.string(),
  from: z.object({ version: z.number(), title: z.string(), createdAt: Timestamp }),
  to: z.object({ version: z.number(), title: z.string(), createdAt: Timestamp }),
  titleChanged: z.boolean(),
  diff: z.object({ lines: z.array(DiffLine), added: z.number(), removed: z.number(), coarse: z.boolean() }),
});
export type ArticleDiff = z.infer<typeof ArticleDiff>;

/** Roles that may open the audit (the API's KB_AUDIT_READERS) and edit articles (the API's PATCH). */
export const AUDIT_ROLES = ['admin', 'supervisor', 'reviewer'] as const;
export const EDIT_ROLES = ['admin', 'supervisor'] as const;
