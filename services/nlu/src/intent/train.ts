/**
 * `trainIntentModel(examples, opts)`: features + net trained on the examples, then temperature and
 * per-intent out-of-scope thresholds fitted on held-out predictions — the given held-out set, or
 * else out-of-fold predictions of a stratified k-fold over the training examples (the final model
 * is then trained on all of them). Deterministic for a seed.
 */
import { ValidationError } from '@cc/core';
import {
  decide,
  DEFAULT_THRESHOLDS,
  expectedCalibrationError,
  fitTemperature,
  fitThresholds,
  isAccepted,
  nllAt,
  oosItemWeight,
  type Decision,
  type HeldOutLogits,
  type ThresholdOptions,
  type Thresholds,
} from './calibrate.ts';
import { DEFAULT_FEATURES, Vectorizer, type FeatureSpec } from './features.ts';
import { DEFAULT_GUARD, IntentModel, type Guard } from './model.ts';
import { DEFAULT_NET, netLogits, prng, shuffleInPlace, trainNet, type NetSpec, type NetWeights } from './nets.ts';
import { normalizeWords } from './normalize.ts';
import { roundWeights } from './quant.ts';

export interface IntentExample {
  text: string;
  intent: string;
}

export interface TrainIntentOptions {
  name?: string;
  features?: Partial<FeatureSpec>;
  net?: Partial<NetSpec>;
  /** Held-out examples for calibration and thresholds (may include `oosLabel` items). Without: k-fold. */
  heldOut?: IntentExample[];
  /** k of the k-fold when no held-out set is given (default 5); 0 = no calibration, no thresholds (benchmarks of top-1 accuracy). */
  folds?: number;
  /** Label of out-of-scope examples (default "oos"). */
  oosLabel?: string;
  /** Train an explicit out-of-scope class from training examples labelled `oosLabel` (default: when there are any). */
  oosClass?: boolean;
  thresholds?: Partial<ThresholdOptions>;
  guard?: Partial<Guard>;
  log?: (line: string) => void;
}

/** The recipe chosen on Banking77 / CLINC150 dev data (docs/nlu.md). */
export const DEFAULT_RECIPE: { features: FeatureSpec; net: NetSpec } = {
  features: DEFAULT_FEATURES,
  net: { ...DEFAULT_NET, epochs: 8, minSteps: 500, schedule: 'linear', lr: 0.01, batch: 32, balanced: true },
};

export interface HeldOutMetrics {
  items: number;
  oosItems: number;
  /** Top-1 accuracy over in-scope items, no rejection. */
  acc: number;
  /** In-scope items accepted with the right intent, after thresholds. */
  inscopeAcc: number;
  /** Out-of-scope items rejected (null without any). */
  oosRecall: number | null;
  /** Right intents rejected by the thresholds, as a share of in-scope items. */
  falseRejectRate: number;
  /** Multi-class NLL of in-scope items before / after temperature scaling. */
  nllRaw: number;
  nllCalibrated: number;
  /** ECE of the top confidence vs "right intent" over held-out items (out-of-scope ones count as wrong, weighted to `oosShare`), before / after. */
  eceRaw: number;
  eceCalibrated: number;
}

export interface TrainReport {
  name: string;
  method: { features: FeatureSpec; net: NetSpec; guard: Guard; thresholds: ThresholdOptions };
  examples: number;
  /** Examples whose text normalised to nothing (dropped). */
  dropped: number;
  oosExamples: number;
  intents: string[];
  heldOut: ({ source: 'given' | 'k-fold'; folds: number | null } & HeldOutMetrics) | { source: 'none'; folds: 0 };
  temperature: number;
  thresholds: { method: string; global: number; priorStrength: number; perIntent: Record<string, number> };
  trainSeconds: number;
}

function checkExamples(examples: unknown, what: string): IntentExample[] {
  if (!Array.isArray(examples)) throw new ValidationError(what, [{ path: '', message: 'must be an array of {text, intent}' }]);
  const issues: { path: string; message: string }[] = [];
  examples.forEach((e, i) => {
    if (typeof e !== 'object' || e === null) issues.push({ path: String(i), message: 'must be an object {text, intent}' });
    else if (typeof (e as IntentExample).text !== 'string') issues.push({ path: `${i}.text`, message: 'must be a string' });
    else if (typeof (e as IntentExample).intent !== 'string' || !(e as IntentExample).intent.trim() || (e as IntentExample).intent.length > 200)
      issues.push({ path: `${i}.intent`, message: 'must be a non-empty string of at most 200 characters' });
  });
  if (issues.length) throw new ValidationError(what, issues.slice(0, 10));
  return examples as IntentExample[];
}

/** Stratified fold number per item (seeded). */
export function stratifiedFolds(labels: ArrayLike<number>, folds: number, seed: number): Int32Array {
  const byLabel = new Map<number, number[]>();
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i]!;
    let list = byLabel.get(l);
    if (!list) byLabel.set(l, (list = []));
    list.push(i);
  }
  const rand = prng(seed ^ 0x5f3759df);
  const fold = new Int32Array(labels.length);
  let next = 0;
  for (const l of [...byLabel.keys()].sort((a, b) => a - b)) {
    const items = byLabel.get(l)!;
    shuffleInPlace(items, rand);
    for (const i of items) fold[i] = next++ % folds;
  }
  return fold;
}

interface Prepared {
  words: string[][];
  labels: Int32Array;
}

function fitNet(words: string[][], labels: Int32Array, classes: number, features: FeatureSpec, net: NetSpec): { vectorizer: Vectorizer; weights: NetWeights } {
  const vectorizer = Vectorizer.fit(words, features);
  const rows = words.map((w) => vectorizer.transform(w));
  const stepsPerEpoch = Math.max(1, Math.ceil(rows.length / net.batch));
  const epochs = Math.max(net.epochs, Math.ceil(net.minSteps / stepsPerEpoch));
  const weights = roundWeights(trainNet(rows, labels, vectorizer.dim, classes, { ...net, epochs }));
  return { vectorizer, weights };
}

/** Held-out item: logits, and whether the input guard would reject it before the model (as IntentModel.classify does). */
function heldOutItem(vectorizer: Vectorizer, weights: NetWeights, words: string[], label: number, guard: Guard, rawLength = 0): HeldOutLogits {
  const logits = new Float32Array(weights.classes);
  const h = new Float32Array(weights.hidden);
  const row = vectorizer.transform(words);
  netLogits(weights, row, logits, h);
  return { logits, label, guarded: words.length === 0 || rawLength > guard.maxChars || row.tokenCoverage < guard.minCoverage };
}

export function trainIntentModel(examplesIn: IntentExample[], opts: TrainIntentOptions = {}): { model: IntentModel; report: TrainReport } {
  const started = performance.now();
  const log = opts.log ?? (() => {});
  const examples = checkExamples(examplesIn, 'intent training examples');
  const oosLabel = opts.oosLabel ?? 'oos';
  const features: FeatureSpec = { ...DEFAULT_RECIPE.features, ...opts.features };
  const net: NetSpec = { ...DEFAULT_RECIPE.net, ...opts.net };
  const guard: Guard = { ...DEFAULT_GUARD, ...opts.guard };
  const thresholdOpts: ThresholdOptions = { ...DEFAULT_THRESHOLDS, ...opts.thresholds };
  const name = opts.name ?? 'intent-model';

  // normalise; drop examples with nothing left
  const kept: { words: string[]; intent: string }[] = [];
  for (const e of examples) {
    const words = normalizeWords(e.text, { maxChars: guard.maxChars });
    if (words.length) kept.push({ words, intent: e.intent.trim() });
  }
  const dropped = examples.length - kept.length;
  const intents = [...new Set(kept.filter((e) => e.intent !== oosLabel).map((e) => e.intent))].sort();
  if (intents.length < 2) throw new ValidationError('intent training examples', [{ path: '', message: `need at least 2 intents with usable text, got ${intents.length}` }]);
  const oosTrain = kept.filter((e) => e.intent === oosLabel);
  const useOosClass = (opts.oosClass ?? oosTrain.length > 0) && oosTrain.length > 0;
  const labels = useOosClass ? [...intents, oosLabel] : intents;
  const oosClass = useOosClass ? intents.length : null;
  const labelIndex = new Map(labels.map((l, i) => [l, i]));
  const train: Prepared = { words: [], labels: new Int32Array(0) };
  const trainLabels: number[] = [];
  for (const e of kept) {
    if (e.intent === oosLabel && !useOosClass) continue;
    train.words.push(e.words);
    trainLabels.push(labelIndex.get(e.intent)!);
  }
  train.labels = Int32Array.from(trainLabels);
  log(`training ${name}: ${train.words.length} examples, ${intents.length} intents${useOosClass ? ` + out-of-scope class (${oosTrain.length})` : ''}${dropped ? `, ${dropped} empty dropped` : ''}`);

  // held-out logits: given, or out-of-fold
  let heldOut: HeldOutLogits[] = [];
  let source: 'given' | 'k-fold' | 'none';
  let folds: number | null = null;
  let final: { vectorizer: Vectorizer; weights: NetWeights } | undefined;
  if (opts.heldOut?.length) {
    source = 'given';
    const given = checkExamples(opts.heldOut, 'intent held-out examples');
    const unknown = [...new Set(given.map((e) => e.intent.trim()).filter((i) => i !== oosLabel && !labelIndex.has(i)))];
    if (unknown.length) throw new ValidationError('intent held-out examples', [{ path: 'intent', message: `intents not in the training examples: ${unknown.slice(0, 5).join(', ')}` }]);
    final = fitNet(train.words, train.labels, labels.length, features, net);
    for (const e of given) {
      const words = normalizeWords(e.text, { maxChars: guard.maxChars });
      const intent = e.intent.trim();
      const label = intent === oosLabel ? (oosClass ?? -1) : labelIndex.get(intent)!;
      heldOut.push(heldOutItem(final.vectorizer, final.weights, words, label, guard, e.text.length));
    }
    log(`  held-out: ${heldOut.length} given examples`);
  } else if (opts.folds === 0) {
    source = 'none';
  } else {
    source = 'k-fold';
    // classes smaller than k just spread their examples over fewer folds
    folds = Math.max(2, opts.folds ?? 5);
    const fold = stratifiedFolds(train.labels, folds, net.seed);
    heldOut = new Array(train.words.length);
    for (let f = 0; f < folds; f++) {
      const tr = [...train.labels.keys()].filter((i) => fold[i] !== f);
      const te = [...train.labels.keys()].filter((i) => fold[i] === f);
      const m = fitNet(tr.map((i) => train.words[i]!), Int32Array.from(tr.map((i) => train.labels[i]!)), labels.length, features, { ...net, seed: net.seed + 1 + f });
      for (const i of te) heldOut[i] = heldOutItem(m.vectorizer, m.weights, train.words[i]!, train.labels[i]!, guard);
      // OOS examples not trained as a class are held-out negatives, each scored by one fold's model
      if (!useOosClass) oosTrain.forEach((e, i) => { if (i % folds! === f) heldOut.push(heldOutItem(m.vectorizer, m.weights, e.words, -1, guard)); });
      log(`  fold ${f + 1}/${folds} done`);
    }
  }
  final ??= fitNet(train.words, train.labels, labels.length, features, net);

  if (source === 'none') {
    const model = new IntentModel({ name, labels, oosClass, vectorizer: final.vectorizer, net: final.weights, temperature: 1, thresholds: new Float64Array(labels.length), guard });
    const report: TrainReport = {
      name, method: { features, net, guard, thresholds: thresholdOpts }, examples: examples.length, dropped, oosExamples: oosTrain.length, intents,
      heldOut: { source: 'none', folds: 0 }, temperature: 1,
      thresholds: { method: 'none', global: 0, priorStrength: 0, perIntent: Object.fromEntries(intents.map((i) => [i, 0])) },
      trainSeconds: (performance.now() - started) / 1000,
    };
    log('  no held-out data (folds 0): temperature 1, no thresholds');
    return { model, report };
  }
  const { temperature, thresholds, perIntent, metrics } = calibrateOnHeldOut(heldOut, labels.length, oosClass, thresholdOpts);
  const model = new IntentModel({ name, labels, oosClass, vectorizer: final.vectorizer, net: final.weights, temperature, thresholds: perIntent, guard });
  const report: TrainReport = {
    name,
    method: { features, net, guard, thresholds: thresholdOpts },
    examples: examples.length,
    dropped,
    oosExamples: oosTrain.length,
    intents,
    heldOut: { source, folds, ...metrics },
    temperature,
    thresholds: {
      method: thresholds.method,
      global: thresholds.global,
      priorStrength: thresholds.priorStrength,
      perIntent: Object.fromEntries(intents.map((i) => [i, perIntent[labelIndex.get(i)!]!])),
    },
    trainSeconds: (performance.now() - started) / 1000,
  };
  log(
    `  held-out (${source}): acc ${(metrics.acc * 100).toFixed(1)}%, in-scope after thresholds ${(metrics.inscopeAcc * 100).toFixed(1)}%` +
      (metrics.oosRecall === null ? '' : `, oos recall ${(metrics.oosRecall * 100).toFixed(1)}%`) +
      `, T ${temperature.toFixed(2)}, ECE ${metrics.eceRaw.toFixed(3)} → ${metrics.eceCalibrated.toFixed(3)}`,
  );
  return { model, report };
}

/** Temperature, thresholds and held-out metrics from held-out logits. */
function calibrateOnHeldOut(heldOut: HeldOutLogits[], classes: number, oosClass: number | null, thresholdOpts: ThresholdOptions) {
  const oc = oosClass ?? undefined;
  const oosWeight = oosItemWeight(heldOut, oc, thresholdOpts.oosShare);
  const temperature = fitTemperature(heldOut, oc, oosWeight);
  const raw = decide(heldOut, 1, oc);
  const calibrated = decide(heldOut, temperature, oc);
  const thresholds = fitThresholds(calibrated, classes, thresholdOpts);
  const perIntent = new Float64Array(classes);
  perIntent.set(thresholds.perIntent);
  const inScope = calibrated.filter((d) => !d.oos);
  const oos = calibrated.filter((d) => d.oos);
  const accepted = (d: Decision) => isAccepted(d, perIntent);
  const metrics: HeldOutMetrics = {
    items: calibrated.length,
    oosItems: oos.length,
    acc: inScope.filter((d) => d.correct).length / Math.max(1, inScope.length),
    inscopeAcc: inScope.filter((d) => d.correct && accepted(d)).length / Math.max(1, inScope.length),
    oosRecall: oos.length ? oos.filter((d) => !accepted(d)).length / oos.length : null,
    falseRejectRate: inScope.filter((d) => d.correct && !accepted(d)).length / Math.max(1, inScope.length),
    nllRaw: nllAt(heldOut, 1),
    nllCalibrated: nllAt(heldOut, temperature),
    eceRaw: expectedCalibrationError(raw.filter((d) => !d.guarded), oosWeight),
    eceCalibrated: expectedCalibrationError(calibrated.filter((d) => !d.guarded), oosWeight),
  };
  return { temperature, thresholds, perIntent, metrics };
}

/**
 * Refit temperature and thresholds of a trained model on other held-out examples (or other
 * threshold options) without retraining; the weights are shared with `model`.
 */
export function recalibrateIntentModel(
  model: IntentModel,
  heldOutIn: IntentExample[],
  opts: { oosLabel?: string; thresholds?: Partial<ThresholdOptions> } = {},
): { model: IntentModel; temperature: number; thresholds: Thresholds; metrics: HeldOutMetrics } {
  const oosLabel = opts.oosLabel ?? 'oos';
  const given = checkExamples(heldOutIn, 'intent held-out examples');
  const labelIndex = new Map(model.labels.map((l, i) => [l, i]));
  const items = given.map((e) => {
    const intent = e.intent.trim();
    const label = intent === oosLabel ? (model.oosClass ?? -1) : labelIndex.get(intent);
    if (label === undefined) throw new ValidationError('intent held-out examples', [{ path: 'intent', message: `intent ${intent} is not in the model` }]);
    const words = normalizeWords(e.text, { maxChars: model.guard.maxChars });
    return heldOutItem(model.vectorizer, model.net, words, label, model.guard, e.text.length);
  });
  const { temperature, thresholds, perIntent, metrics } = calibrateOnHeldOut(items, model.labels.length, model.oosClass, { ...DEFAULT_THRESHOLDS, ...opts.thresholds });
  const next = new IntentModel({ name: model.name, labels: model.labels, oosClass: model.oosClass, vectorizer: model.vectorizer, net: model.net, temperature, thresholds: perIntent, guard: model.guard });
  return { model: next, temperature, thresholds, metrics };
}
