/**
 * Every KPI of the evaluation core, defined once (docs/evals.md renders the same table). The per-call
 * rules the scoring jobs apply (call outcome, cost, coverage) live beside the processors in
 * services/worker/src/processors/evals/call-metrics.ts and are re-exported here; the aggregates over
 * a run or a window are the pure functions below. All are pure: no store, no clock.
 *
 * | KPI | formula | per-call / per-turn row (ClickHouse `scores.metric`) |
 * | --- | --- | --- |
 * | intent accuracy | correct labelled caller turns / labelled caller turns (a turn is labelled when the dataset names an intent other than NONE; correct = predicted intent equals the label exactly) | `intent` (1/0 per labelled caller turn) |
 * | coverage | labelled caller turns with an in-scope prediction / labelled caller turns (in scope = not null, '', out_of_scope, unknown, none) | `coverage` |
 * | containment | contained calls / calls. Contained = no escalation and the agent's last decision did not leave it waiting for the caller (not ask_slot / confirm / clarify) | `containment` (per call) |
 * | escalation rate | calls with any `escalate` decision / calls | `escalation` |
 * | abandonment | calls that ended while the agent waited for the caller (or with no decision) and never escalated / calls | `abandonment` |
 * | FCR (first-contact resolution) | contained calls in which an action ran, a KB answer was given or the agent closed the call / calls | `fcr` |
 * | hallucination rate | KB answers judged unsupported by the grounding checker against the passages they cited / KB answers (decisions of kind `answer`); an answer with no citation is checked against nothing, so any factual claim in it is unsupported; questions the agent appends (re-prompts) are not claims and are not checked | `hallucination` (1 = unsupported), details per HallucinationScoreDetails |
 * | p50 / p95 latency per stage | exact quantiles (nearest rank) of per-turn stage durations: nlu, policy (policy + retrieval + actions), llm | `stage_latency` rows; `latency_ms` per turn |
 * | cost per conversation | mean over calls of ASR min × price + TTS min × price + LLM tokens × prices + turns × compute price (audio seconds estimated from text at 15 chars/s on text replays) | `cost_usd` (per call) |
 * | drift | PSI of the intent distribution (current window vs baseline, ε-smoothed) and the change of mean confidence; alert when PSI ≥ 0.2 or |Δ mean confidence| ≥ 0.1 | computed from `turns` |
 */
export { answerClaims, classifyCallOutcome, callCost, isCovered, DEFAULT_PRICES, UNCOVERED_INTENTS, type CallOutcome, type CallOutcomeResult, type CallCost, type Prices } from '@cc/worker';

/** A ratio with its parts; `value` is null when the denominator is 0 (undefined, not 0). */
export interface Rate {
  numerator: number;
  denominator: number;
  value: number | null;
}

export function rate(numerator: number, denominator: number): Rate {
  return { numerator, denominator, value: denominator > 0 ? numerator / denominator : null };
}

export interface IntentPrediction {
  /** Ground truth; null or undefined = unlabelled (left out). */
  label?: string | null;
  predicted?: string | null;
}

/** Intent accuracy: exact matches over labelled turns. */
export function intentAccuracy(turns: readonly IntentPrediction[]): Rate {
  const labelled = turns.filter((t) => !!t.label);
  return rate(labelled.filter((t) => t.predicted === t.label).length, labelled.length);
}

const UNCOVERED = new Set(['', 'out_of_scope', 'oos', 'unknown', 'none']);

/** Coverage: labelled turns that got an in-scope prediction. */
export function coverage(turns: readonly IntentPrediction[]): Rate {
  const labelled = turns.filter((t) => !!t.label);
  return rate(labelled.filter((t) => !!t.predicted && !UNCOVERED.has(t.predicted.toLowerCase())).length, labelled.length);
}

export interface ConfusionCell {
  label: string;
  predicted: string;
  count: number;
}

/** Confusion counts (label × predicted, errors only when `errorsOnly`), largest first, ties by name. */
export function confusion(turns: readonly IntentPrediction[], opts: { errorsOnly?: boolean; top?: number } = {}): ConfusionCell[] {
  const counts = new Map<string, ConfusionCell>();
  for (const t of turns) {
    if (!t.label) continue;
    const predicted = t.predicted ?? '';
    if (opts.errorsOnly && predicted === t.label) continue;
    const key = `${t.label}\u0000${predicted}`;
    const cell = counts.get(key) ?? { label: t.label, predicted, count: 0 };
    cell.count++;
    counts.set(key, cell);
  }
  const cells = [...counts.values()].sort((a, b) => b.count - a.count || a.label.localeCompare(b.label) || a.predicted.localeCompare(b.predicted));
  return opts.top !== undefined ? cells.slice(0, opts.top) : cells;
}

export type Outcome = 'contained' | 'escalated' | 'abandoned';

export interface OutcomeRates {
  calls: number;
  containment: Rate;
  escalation: Rate;
  abandonment: Rate;
  fcr: Rate;
}

/** Containment, escalation, abandonment and FCR over calls (each call has exactly one outcome). */
export function outcomeRates(calls: ReadonlyArray<{ outcome: Outcome; resolved: boolean }>): OutcomeRates {
  const n = calls.length;
  const count = (o: Outcome) => calls.filter((c) => c.outcome === o).length;
  return {
    calls: n,
    containment: rate(count('contained'), n),
    escalation: rate(count('escalated'), n),
    abandonment: rate(count('abandoned'), n),
    fcr: rate(calls.filter((c) => c.outcome === 'contained' && c.resolved).length, n),
  };
}

/** Hallucination rate: unsupported answers over judged answers (`value` 1 = unsupported). */
export function hallucinationRate(judged: ReadonlyArray<{ value: number }>): Rate {
  return rate(judged.filter((j) => j.value >= 0.5).length, judged.length);
}

/** Exact quantile by nearest rank (q in [0, 1]); null for no values. Matches ClickHouse quantileExact closely enough for reporting. */
export function quantile(values: readonly number[], q: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank]!;
}

export interface StagePercentiles {
  stage: string;
  n: number;
  p50: number | null;
  p95: number | null;
}

/** p50 / p95 per stage from per-turn durations. */
export function latencyPerStage(rows: ReadonlyArray<{ stage: string; durationMs: number }>): StagePercentiles[] {
  const by = new Map<string, number[]>();
  for (const r of rows) by.set(r.stage, [...(by.get(r.stage) ?? []), r.durationMs]);
  return [...by.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([stage, v]) => ({ stage, n: v.length, p50: quantile(v, 0.5), p95: quantile(v, 0.95) }));
}

/** Cost per conversation: mean of per-call costs (USD); null for no calls. */
export function costPerConversation(callCostsUsd: readonly number[]): number | null {
  return callCostsUsd.length ? callCostsUsd.reduce((a, b) => a + b, 0) / callCostsUsd.length : null;
}

// ---------------------------------------------------------------------------------------------
// Drift

/** Smoothing for empty bins, so PSI stays finite when an intent appears in one window only. */
export const DRIFT_EPSILON = 1e-4;
/** PSI ≥ 0.2 is the conventional "significant shift" threshold (0.1–0.2 moderate). */
export const DRIFT_PSI_ALERT = 0.2;
/** Absolute change of mean intent confidence that alerts on its own. */
export const DRIFT_CONFIDENCE_ALERT = 0.1;

/** Share of each category over the union of both windows' categories, ε-smoothed and renormalised. */
export function distribution(values: readonly string[], categories: readonly string[], epsilon = DRIFT_EPSILON): Map<string, number> {
  const counts = new Map<string, number>(categories.map((c) => [c, 0]));
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  const total = values.length + epsilon * counts.size;
  return new Map([...counts.entries()].map(([k, n]) => [k, (n + epsilon) / total]));
}

/** Population stability index: Σ (cur − base) · ln(cur / base) over categories. 0 = identical. */
export function psi(baseline: readonly string[], current: readonly string[], epsilon = DRIFT_EPSILON): number {
  const cats = [...new Set([...baseline, ...current])].sort();
  if (cats.length === 0) return 0;
  const b = distribution(baseline, cats, epsilon);
  const c = distribution(current, cats, epsilon);
  let sum = 0;
  for (const k of cats) sum += (c.get(k)! - b.get(k)!) * Math.log(c.get(k)! / b.get(k)!);
  return sum;
}

/** Jensen–Shannon divergence (base 2, 0..1) of the two intent distributions. */
export function jsDivergence(baseline: readonly string[], current: readonly string[], epsilon = DRIFT_EPSILON): number {
  const cats = [...new Set([...baseline, ...current])].sort();
  if (cats.length === 0) return 0;
  const b = distribution(baseline, cats, epsilon);
  const c = distribution(current, cats, epsilon);
  let js = 0;
  for (const k of cats) {
    const p = b.get(k)!;
    const q = c.get(k)!;
    const m = (p + q) / 2;
    js += 0.5 * p * Math.log2(p / m) + 0.5 * q * Math.log2(q / m);
  }
  return Math.max(0, js);
}

export interface DriftWindow {
  /** Predicted intent per caller turn. */
  intents: readonly string[];
  /** Confidence per caller turn. */
  confidences: readonly number[];
}

export interface DriftReport {
  psi: number;
  jsDivergence: number;
  baselineMeanConfidence: number | null;
  currentMeanConfidence: number | null;
  confidenceDelta: number | null;
  alert: boolean;
  reasons: string[];
}

/**
 * Drift of a current window against a baseline window: PSI (and JS divergence, for reading) of the
 * intent distribution, and the change of mean confidence. Alert when PSI ≥ psiAlert or
 * |Δ mean confidence| ≥ confidenceAlert. An empty window never alerts (nothing to compare).
 */
export function drift(baseline: DriftWindow, current: DriftWindow, opts: { psiAlert?: number; confidenceAlert?: number } = {}): DriftReport {
  const psiAlert = opts.psiAlert ?? DRIFT_PSI_ALERT;
  const confAlert = opts.confidenceAlert ?? DRIFT_CONFIDENCE_ALERT;
  const mean = (v: readonly number[]) => (v.length ? v.reduce((a, b) => a + b, 0) / v.length : null);
  const empty = baseline.intents.length === 0 || current.intents.length === 0;
  const p = empty ? 0 : psi(baseline.intents, current.intents);
  const js = empty ? 0 : jsDivergence(baseline.intents, current.intents);
  const bm = mean(baseline.confidences);
  const cm = mean(current.confidences);
  const delta = bm !== null && cm !== null ? cm - bm : null;
  const reasons: string[] = [];
  if (!empty && p >= psiAlert) reasons.push(`intent distribution PSI ${p.toFixed(3)} ≥ ${psiAlert}`);
  if (delta !== null && Math.abs(delta) >= confAlert) reasons.push(`mean confidence moved ${delta >= 0 ? '+' : ''}${delta.toFixed(3)} (|Δ| ≥ ${confAlert})`);
  return { psi: p, jsDivergence: js, baselineMeanConfidence: bm, currentMeanConfidence: cm, confidenceDelta: delta, alert: reasons.length > 0, reasons };
}
