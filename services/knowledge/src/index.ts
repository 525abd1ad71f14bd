export { KbIndex, KbDocumentSchema, type KbDocument, type KbDocumentInput, type KbIndexOptions, type Passage, type SearchHit, type SearchOptions, type SyncResult } from './retrieval.ts';
export { checkGrounding } from './grounding.ts';
export { splitClaims } from './grounding-claims.ts';
export { modelScore, featureValue } from './grounding-score.ts';
export type {
  ClaimFeatures,
  ClaimResult,
  GroundingModel,
  GroundingOptions,
  GroundingResult,
  GroundingSource,
  UnsupportedReason,
  UnsupportedSpan,
} from './grounding-types.ts';
export { GROUNDING_MODEL, type GroundingFeatureName } from './calibration.ts';
export { passageSpans, markdownLines } from './markdown.ts';
export { tokenize, splitSentences, stripMarkdown, terms, type Token } from './text.ts';
export { composeAnswer, answerFromKb, NOT_COVERED_TEXT, type AnswerSentence, type Citation, type ComposeOptions, type ComposedAnswer, type CoveredAnswer, type NotCoveredAnswer } from './answer.ts';
export * from './audit/index.ts';
