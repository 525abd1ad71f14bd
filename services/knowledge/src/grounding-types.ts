/** Public types of the grounding checker (grounding.ts). */
import type { GroundingFeatureName } from './calibration.ts';
import type { KbIndex } from './retrieval.ts';

export interface GroundingSource {
  text: string;
  articleId?: string;
  version?: number;
  /** Text that frames the passage (article title, section heading); read as context of every line. */
  context?: string;
}

export type UnsupportedReason =
  | 'number_not_in_sources'
  | 'number_context_mismatch'
  | 'entity_not_in_sources'
  | 'words_not_in_sources'
  | 'contradiction'
  | 'low_support';

export interface UnsupportedSpan {
  /** Offsets into the answer. */
  start: number;
  end: number;
  text: string;
  reason: UnsupportedReason;
  /** One line a person can read: what is missing or contradicted, and what the sources say. */
  detail: string;
}

export interface ClaimFeatures {
  /** Weighted share of the claim's content tokens found in the sources (context-only tokens count half). */
  coverage: number;
  /** The same share within the single best-matching source line (with its parent lines). */
  unitCoverage: number;
  /** Share of adjacent content-token pairs of the claim that stand close together in the sources. */
  bigramCoverage: number;
  unsupportedNumbers: number;
  unsupportedEntities: number;
  unsupportedWords: number;
  /** Tokens found only in `context` (the question or conversation), not in the sources. */
  contextOnlyWords: number;
  /** Negation or antonym mismatch with the best-matching source line (0/1). */
  contradiction: number;
  /** A number the sources state, but for another subject (0/1). */
  numberContextMismatch: number;
}

export interface ClaimResult {
  start: number;
  end: number;
  text: string;
  score: number;
  supported: boolean;
  features: ClaimFeatures;
  /** Best-matching source line: index into `sources` and offsets into that source's text. */
  evidence?: { source: number; start: number; end: number; articleId?: string; version?: number };
  /** Set when the cited sources did not support the claim but another KB passage does (options.kb). */
  uncitedEvidence?: { articleId: string; version: number; start: number; end: number };
}

export interface GroundingResult {
  supported: boolean;
  /** 0..1, the weakest claim's score (1 when the answer makes no factual claim). */
  score: number;
  unsupportedSpans: UnsupportedSpan[];
  claims: ClaimResult[];
  /** Scorer version (calibration.ts); stored with evaluation results. */
  scorer: string;
}

export interface GroundingModel {
  bias: number;
  weights: Record<GroundingFeatureName, number>;
  threshold: number;
  capUnsupportedNumber: number;
  capNumberContextMismatch: number;
  capContradiction: number;
  version?: string;
}

export interface GroundingOptions {
  /** The question or conversation the answer replies to: words restated from it are not invented. */
  context?: string;
  /** Score threshold for `supported` (default from calibration.ts). */
  threshold?: number;
  /** Also look for support in the whole KB: a claim the cited sources miss but the KB supports is accepted and reported as uncited. */
  kb?: KbIndex;
  /** Another model (used by calibration). */
  model?: GroundingModel;
}
