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
  bias: 0,
  weights: {
    coverage: 4,
    unitCoverage: 1,
    bigramCoverage: 1,
    unsupportedNumbers: -3,
    unsupportedEntities: -1.5,
    unsupportedWords: -0.6,
    contextOnlyWords: -0.2,
    contradiction: -2.5,
    numberContextMismatch: -3,
  },
  /** A claim (and an answer) is supported when its score is at least this. */
  threshold: 0.5,
  /** Hard caps: a claim with a number the sources do not state, or a number tied to another subject. */
  capUnsupportedNumber: 0.15,
  capNumberContextMismatch: 0.25,
} as const;

export type GroundingFeatureName = keyof typeof GROUNDING_MODEL.weights;
