/**
 * Per-tenant intent classification with out-of-scope detection. See docs/nlu.md.
 */
export { trainIntentModel, recalibrateIntentModel, stratifiedFolds, DEFAULT_RECIPE, type IntentExample, type TrainIntentOptions, type TrainReport, type HeldOutMetrics } from './train.ts';
export { IntentModel, DEFAULT_GUARD, type IntentPrediction, type IntentScore, type DecisionReason, type Guard, type IntentModelParts } from './model.ts';
export {
  loadIntentModel,
  loadIntentModelById,
  readIntentArtifact,
  parseIntentArtifact,
  serializeIntentModel,
  writeIntentArtifact,
  upsertManifestEntry,
  checkOutput,
  compactJson,
  trainingDataSha256,
  manifestId,
  ARTIFACT_FORMAT,
  ARTIFACT_VERSION,
  MANIFEST_FORMAT,
  type TrainingSummary,
  type WriteOptions,
} from './artifact.ts';
export { evaluateIntentModel, type EvalResult } from './evaluate.ts';
export { loadBanking77, loadClinc150, parseCsv, OOS_LABEL, type LabelledText, type ClincSplit } from './datasets.ts';
export { demoExamples, DEMO_MODEL_ID, DEMO_MODEL_NAME } from './demo.ts';
export { readExamplesJsonl } from './examples.ts';
export { normalizeUtterance, normalizeWords } from './normalize.ts';
export { Vectorizer, DEFAULT_FEATURES, type FeatureSpec } from './features.ts';
export { DEFAULT_NET, type NetSpec } from './nets.ts';
export { DEFAULT_THRESHOLDS, type ThresholdOptions } from './calibrate.ts';
