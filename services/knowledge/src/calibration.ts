/**
 * Weights of the grounding checker's claim scorer: a logistic model over the claim features of
 * grounding.ts. Fitted on DEV data only by services/bench/src/grounding/calibrate.ts (BEGIN dev
 * files wow/cmu-dog/topicalchat, and the HaluEval QA dev slice = records whose index % 5 === 0,
 * one-turn and multi-turn), then copied here by hand so the checker's output only changes when this
 * file does. `pnpm bench grounding` reports on the test data (BEGIN wow test, HaluEval records
 * whose index % 5 !== 0).
 */
export const GROUNDING_MODEL = {
  version: 'grounding-v1',
  /** Logistic weights per feature (see ClaimFeatures); score = sigmoid(bias + Σ w·f). */
  bias: -1.398,
  weights: {
    coverage: 0.265,
    unitCoverage: 1.266,
    bigramCoverage: 1.687,
    unsupportedNumbers: -0.384,
    unsupportedEntities: -0.955,
    unsupportedWords: -0.821,
    contextOnlyWords: -1.121,
    contradiction: -0.546,
    numberContextMismatch: 0,
  },
  /** A claim (and an answer) is supported when its score is at least this. */
  threshold: 0.71,
  /**
   * Hard caps, below the threshold: a claim with a number the sources do not state, a number the
   * sources state for another subject, or a negation/antonym contradiction is never supported.
   */
  capUnsupportedNumber: 0.15,
  capNumberContextMismatch: 0.25,
  capContradiction: 0.35,
} as const;

export type GroundingFeatureName = keyof typeof GROUNDING_MODEL.weights;
