/**
 * Confidence calibration and out-of-scope thresholds, both fitted on held-out predictions.
 * - Temperature scaling: one T for all logits, minimising held-out negative log-likelihood.
 * - Thresholds per intent on the calibrated top probability, maximising the expected accuracy of
 *   accept/reject decisions, shrunk toward the global threshold (strength picked by 2-fold
 *   cross-validation on the held-out set itself). Without out-of-scope held-out examples, a
 *   recall-quantile rule instead: accept `targetRecall` of the correct held-out predictions.
 */
import { softmaxInPlace } from './nets.ts';

/**
 * One held-out prediction: raw logits over the model's classes, the true class (-1 = out of scope),
 * and whether the input guard (empty, too long, unknown words) rejects it before the model.
 */
export interface HeldOutLogits {
  logits: Float32Array;
  label: number;
  guarded?: boolean;
}

export function probabilities(logits: Float32Array, temperature: number): Float64Array {
  const p = new Float64Array(logits.length);
  for (let i = 0; i < logits.length; i++) p[i] = logits[i]! / temperature;
  softmaxInPlace(p);
  return p;
}

/** Mean NLL of labelled (label ≥ 0) held-out items at temperature T. */
export function nllAt(items: HeldOutLogits[], temperature: number): number {
  let sum = 0;
  let n = 0;
  for (const it of items) {
    if (it.label < 0) continue;
    const p = probabilities(it.logits, temperature);
    sum -= Math.log(Math.max(p[it.label]!, 1e-12));
    n++;
  }
  return n ? sum / n : 0;
}

/**
 * Weighted binary cross-entropy of the top in-scope confidence against "that intent is right",
 * over all held-out items: out-of-scope ones are never right, so they pull confidence down
 * (weighted like the thresholds: `oosWeight` per out-of-scope item).
 */
export function topLabelLoss(items: HeldOutLogits[], temperature: number, oosClass: number | undefined, oosWeight: number): number {
  let sum = 0;
  let w = 0;
  for (const d of decide(items, temperature, oosClass)) {
    const weight = d.oos ? oosWeight : 1;
    const c = Math.min(1 - 1e-9, Math.max(1e-9, d.confidence));
    sum -= weight * (d.correct ? Math.log(c) : Math.log(1 - c));
    w += weight;
  }
  return w ? sum / w : 0;
}

/** The temperature minimising `topLabelLoss`: golden-section search of ln T in [ln 0.05, ln 20]. */
export function fitTemperature(items: HeldOutLogits[], oosClass?: number, oosWeight = 1): number {
  const scored = items.filter((i) => !i.guarded);
  if (!scored.length) return 1;
  const f = (lnT: number) => topLabelLoss(scored, Math.exp(lnT), oosClass, oosWeight);
  let a = Math.log(0.05);
  let b = Math.log(20);
  const g = (Math.sqrt(5) - 1) / 2;
  let c = b - g * (b - a);
  let d = a + g * (b - a);
  let fc = f(c);
  let fd = f(d);
  for (let iter = 0; iter < 40; iter++) {
    if (fc < fd) { b = d; d = c; fd = fc; c = b - g * (b - a); fc = f(c); }
    else { a = c; c = d; fc = fd; d = a + g * (b - a); fd = f(d); }
  }
  return Math.exp((a + b) / 2);
}

/** Weight per out-of-scope held-out item so that they stand for `oosShare` of traffic. */
export function oosItemWeight(items: { label: number }[], oosClass: number | undefined, oosShare: number): number {
  const nOos = items.filter((i) => i.label < 0 || i.label === oosClass).length;
  const nIn = items.length - nOos;
  return nOos && nIn ? (oosShare / (1 - oosShare)) * (nIn / nOos) : 1;
}

/**
 * Expected calibration error (15 equal-width bins) of the top in-scope confidence against "the
 * intent is right"; out-of-scope items are never right and weigh `oosWeight` each.
 */
export function expectedCalibrationError(decisions: Decision[], oosWeight = 1): number {
  const bins = 15;
  const conf = new Float64Array(bins);
  const acc = new Float64Array(bins);
  const weight = new Float64Array(bins);
  let total = 0;
  for (const d of decisions) {
    const w = d.oos ? oosWeight : 1;
    const b = Math.min(bins - 1, Math.floor(d.confidence * bins));
    conf[b]! += w * d.confidence;
    acc[b]! += d.correct ? w : 0;
    weight[b]! += w;
    total += w;
  }
  let ece = 0;
  for (let b = 0; b < bins; b++) if (weight[b]) ece += Math.abs(acc[b]! - conf[b]!) / total;
  return ece;
}

/**
 * A held-out item after calibration: the predicted in-scope intent, its calibrated probability,
 * whether the prediction is right, whether the item is out of scope, and whether the model's own
 * out-of-scope class won (then it is rejected whatever the threshold).
 */
export interface Decision {
  predicted: number;
  /** Rejected by the input guard whatever the threshold. */
  guarded: boolean;
  confidence: number;
  correct: boolean;
  oos: boolean;
  oosClassWon: boolean;
}

export function decide(items: HeldOutLogits[], temperature: number, oosClass: number | undefined): Decision[] {
  return items.map((it) => {
    const p = probabilities(it.logits, temperature);
    let best = -1;
    for (let c = 0; c < p.length; c++) if (c !== oosClass && (best < 0 || p[c]! > p[best]!)) best = c;
    return {
      predicted: best,
      guarded: it.guarded === true,
      confidence: p[best]!,
      correct: it.label === best,
      oos: it.label < 0 || it.label === oosClass,
      oosClassWon: oosClass !== undefined && p[oosClass]! > p[best]!,
    };
  });
}

export interface ThresholdOptions {
  /** Assumed share of out-of-scope utterances in live traffic: OOS held-out items are reweighted to it. */
  oosShare: number;
  /** Without OOS held-out items: the share of correct held-out predictions each threshold accepts. */
  targetRecall: number;
  /** Candidate shrinkage strengths (in "average intents' worth of data"); picked by 2-fold CV. */
  priorStrengths: number[];
  /** Thresholds never go above this (a threshold of 1 would make an intent unreachable). */
  maxThreshold: number;
}

export const DEFAULT_THRESHOLDS: ThresholdOptions = { oosShare: 0.2, targetRecall: 0.95, priorStrengths: [0, 0.5, 1, 2, 4, 8, 1e9], maxThreshold: 0.9 };

export interface Thresholds {
  method: 'expected-accuracy' | 'recall-quantile';
  global: number;
  perIntent: Float64Array;
  priorStrength: number;
}

const GRID = Array.from({ length: 91 }, (_, i) => i / 100);

/** Gain of one decision at threshold t: accept right answers, reject out-of-scope ones. */
function gainCurves(decisions: Decision[], classes: number, oosWeight: number): Float64Array[] {
  const curves = Array.from({ length: classes }, () => new Float64Array(GRID.length));
  for (const d of decisions) {
    if (d.guarded) continue; // rejected whatever the threshold
    const curve = curves[d.predicted]!;
    for (let g = 0; g < GRID.length; g++) {
      const accepted = !d.oosClassWon && d.confidence >= GRID[g]!;
      if (d.oos) { if (!accepted) curve[g]! += oosWeight; }
      else if (accepted && d.correct) curve[g]! += 1;
    }
  }
  return curves;
}

function argmaxGrid(score: (g: number) => number, maxThreshold: number): number {
  let best = 0;
  let bestScore = -Infinity;
  for (let g = 0; g < GRID.length && GRID[g]! <= maxThreshold + 1e-9; g++) {
    const s = score(g);
    if (s > bestScore + 1e-12) { bestScore = s; best = g; }
  }
  return best;
}

function fitExpectedAccuracy(decisions: Decision[], classes: number, opts: ThresholdOptions, strength: number) {
  const nIn = decisions.filter((d) => !d.oos).length;
  const nOos = decisions.length - nIn;
  const oosWeight = nOos ? (opts.oosShare / (1 - opts.oosShare)) * (nIn / nOos) : 0;
  const curves = gainCurves(decisions, classes, oosWeight);
  const total = new Float64Array(GRID.length);
  for (const c of curves) for (let g = 0; g < GRID.length; g++) total[g]! += c[g]!;
  const globalIdx = argmaxGrid((g) => total[g]!, opts.maxThreshold);
  const perIntent = new Float64Array(classes);
  for (let k = 0; k < classes; k++) {
    const own = curves[k]!;
    const g = strength >= 1e8 ? globalIdx : argmaxGrid((g) => own[g]! + (strength * total[g]!) / classes, opts.maxThreshold);
    perIntent[k] = GRID[g]!;
  }
  return { global: GRID[globalIdx]!, perIntent, oosWeight };
}

export function isAccepted(d: Decision, perIntent: ArrayLike<number>): boolean {
  return !d.guarded && !d.oosClassWon && d.confidence >= perIntent[d.predicted]!;
}

/** Weighted accuracy of accept/reject decisions under given thresholds. */
export function decisionScore(decisions: Decision[], perIntent: Float64Array, oosWeight: number): number {
  let s = 0;
  let w = 0;
  for (const d of decisions) {
    const accepted = isAccepted(d, perIntent);
    if (d.oos) { w += oosWeight; if (!accepted) s += oosWeight; }
    else { w += 1; if (accepted && d.correct) s += 1; }
  }
  return w ? s / w : 0;
}

export function fitThresholds(decisions: Decision[], classes: number, opts: ThresholdOptions = DEFAULT_THRESHOLDS): Thresholds {
  const hasOos = decisions.some((d) => d.oos);
  if (!hasOos) return recallQuantile(decisions, classes, opts);
  // pick the shrinkage strength by 2-fold CV over the held-out set (alternate items)
  const halves = [decisions.filter((_, i) => i % 2 === 0), decisions.filter((_, i) => i % 2 === 1)];
  let bestStrength = opts.priorStrengths[0] ?? 1;
  let bestScore = -Infinity;
  for (const strength of opts.priorStrengths) {
    let score = 0;
    for (let h = 0; h < 2; h++) {
      const fit = fitExpectedAccuracy(halves[h]!, classes, opts, strength);
      score += decisionScore(halves[1 - h]!, fit.perIntent, fit.oosWeight);
    }
    if (score > bestScore + 1e-12) { bestScore = score; bestStrength = strength; }
  }
  const fit = fitExpectedAccuracy(decisions, classes, opts, bestStrength);
  return { method: 'expected-accuracy', global: fit.global, perIntent: fit.perIntent, priorStrength: bestStrength };
}

function quantile(sorted: number[], q: number): number {
  if (!sorted.length) return 0;
  const pos = Math.max(0, Math.min(sorted.length - 1, q * (sorted.length - 1)));
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/** No OOS examples held out: per intent, the (1 − targetRecall) quantile of right answers' confidence, shrunk to the global one. */
function recallQuantile(decisions: Decision[], classes: number, opts: ThresholdOptions): Thresholds {
  const q = 1 - opts.targetRecall;
  const all = decisions.filter((d) => d.correct && !d.guarded).map((d) => d.confidence).sort((a, b) => a - b);
  const r4 = (x: number) => Math.round(x * 1e4) / 1e4;
  const global = r4(Math.min(opts.maxThreshold, quantile(all, q)));
  const strength = 10; // pseudo-examples at the global quantile
  const perIntent = new Float64Array(classes).fill(global);
  for (let k = 0; k < classes; k++) {
    const own = decisions.filter((d) => d.correct && !d.guarded && d.predicted === k).map((d) => d.confidence).sort((a, b) => a - b);
    if (!own.length) continue;
    perIntent[k] = r4(Math.min(opts.maxThreshold, (own.length * quantile(own, q) + strength * global) / (own.length + strength)));
  }
  return { method: 'recall-quantile', global, perIntent, priorStrength: strength };
}
