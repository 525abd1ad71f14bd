/** The knowledge-base audit (docs/kb-audit.md): stale articles, conflicts, coverage gaps, most-cited in unsupported answers. */
export { runKbAudit, AUDIT_SECTIONS, type AuditSection, type ConflictReport, type KbAuditInput, type KbAuditReport } from './audit.ts';
export { extractFacts, qualifiersOf, type AuditArticle, type ExtractOptions, type Fact, type FactComparator, type FactDimension, type FactQualifiers } from './facts.ts';
export { findConflicts, groupConflicts, type ArticleRef, type ConflictClaim, type ConflictFinding, type ConflictGroup, type ConflictOptions, type ConflictPair } from './conflicts.ts';
export { findStale, reviewCutoff, type StaleArticle, type StaleOptions, type StaleReport } from './stale.ts';
export { findCoverageGaps, isQuestionLike, type CallerUtterance, type GapCluster, type GapOptions, type GapReport } from './gaps.ts';
export {
  HALLUCINATION_METRIC,
  HallucinationCitation,
  HallucinationScoreDetails,
  hallucinationDetails,
  mostCitedInUnsupported,
  parseHallucinationDetails,
  type CitedArticle,
  type HallucinationScoreDetailsInput,
  type HallucinationScoreRow,
  type MostCitedReport,
} from './citations.ts';
export { diffLines, type DiffLine, type DiffOp, type LineDiff } from './diff.ts';
