/** Accuracy, out-of-scope recall and latency of a model on labelled utterances. */
import type { IntentModel } from './model.ts';

export interface EvalResult {
  items: number;
  inScopeItems: number;
  oosItems: number;
  /** Top-1 accuracy over in-scope items, ignoring rejection. */
  acc: number;
  /** In-scope items accepted with the right intent (a rejected in-scope item counts as wrong), as CLINC150 scores it. */
  inscopeAcc: number;
  /** Out-of-scope items rejected; null without any. */
  oosRecall: number | null;
  /** Per-utterance classify() time, microseconds. */
  latencyUs: { p50: number; p95: number; max: number };
}

function percentile(sorted: number[], q: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]! : 0;
}

export function evaluateIntentModel(model: IntentModel, items: { text: string; intent: string }[], oosLabel = 'oos'): EvalResult {
  let inScope = 0, oos = 0, top1 = 0, accepted = 0, rejected = 0;
  const times: number[] = [];
  for (const it of items) {
    const t = performance.now();
    const r = model.classify(it.text);
    times.push((performance.now() - t) * 1000);
    if (it.intent === oosLabel) {
      oos++;
      if (r.outOfScope) rejected++;
    } else {
      inScope++;
      if (r.top[0]?.intent === it.intent) top1++;
      if (r.intent === it.intent) accepted++;
    }
  }
  times.sort((a, b) => a - b);
  return {
    items: items.length,
    inScopeItems: inScope,
    oosItems: oos,
    acc: inScope ? top1 / inScope : 0,
    inscopeAcc: inScope ? accepted / inScope : 0,
    oosRecall: oos ? rejected / oos : null,
    latencyUs: { p50: percentile(times, 0.5), p95: percentile(times, 0.95), max: times[times.length - 1] ?? 0 },
  };
}
