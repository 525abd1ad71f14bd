import { checkGrounding, type GroundingOptions, type GroundingResult } from '@cc/knowledge';
import type { BeginRecord, HaluQaRecord } from './data.ts';

/** One judgement: the checker's verdict on an answer whose truth is known. */
export interface Judgement {
  /** True when the answer is grounded (HaluEval right answer; BEGIN fully attributable). */
  grounded: boolean;
  result: GroundingResult;
  ms: number;
}

function judge(answer: string, knowledge: string, context: string, grounded: boolean, options: GroundingOptions): Judgement {
  const t = performance.now();
  const result = checkGrounding(answer, [knowledge], { ...options, context });
  return { grounded, result, ms: performance.now() - t };
}

/** Each HaluEval QA record gives two judgements: its right answer and its hallucinated answer. */
export function judgeHalu(records: readonly HaluQaRecord[], options: GroundingOptions = {}): Judgement[] {
  return records.flatMap((r) => [judge(r.rightAnswer, r.knowledge, r.question, true, options), judge(r.hallucinatedAnswer, r.knowledge, r.question, false, options)]);
}

/** BEGIN rows labelled Fully / Not fully attributable; Generic rows are left out (counted apart). */
export function judgeBegin(records: readonly BeginRecord[], options: GroundingOptions = {}): Judgement[] {
  return records.filter((r) => r.label !== 'Generic').map((r) => judge(r.response, r.knowledge, r.message, r.label === 'Fully attributable', options));
}

const r4 = (x: number) => Math.round(x * 1e4) / 1e4;

export interface BinaryMetrics {
  n: number;
  accuracy: number;
  /** Grounded answers accepted (recall of the grounded class). */
  grounded_accepted: number;
  /** Hallucinated / unattributable answers flagged (recall of the hallucination class). */
  hallucinated_flagged: number;
  f1_grounded: number;
  f1_hallucinated: number;
  macro_f1: number;
  /** ROC AUC of the score for telling grounded from not (threshold-free). */
  auc: number;
}

export function binaryMetrics(judgements: readonly Judgement[], threshold?: number): BinaryMetrics {
  let tp = 0; // grounded, accepted
  let fn = 0; // grounded, flagged
  let fp = 0; // hallucinated, accepted
  let tn = 0; // hallucinated, flagged
  for (const j of judgements) {
    const accepted = threshold === undefined ? j.result.supported : j.result.score >= threshold;
    if (j.grounded) accepted ? tp++ : fn++;
    else accepted ? fp++ : tn++;
  }
  const f1 = (p: number, r: number) => (p + r > 0 ? (2 * p * r) / (p + r) : 0);
  const div = (a: number, b: number) => (b > 0 ? a / b : 0);
  const f1Grounded = f1(div(tp, tp + fp), div(tp, tp + fn));
  const f1Halluc = f1(div(tn, tn + fn), div(tn, tn + fp));
  return {
    n: judgements.length,
    accuracy: r4(div(tp + tn, judgements.length)),
    grounded_accepted: r4(div(tp, tp + fn)),
    hallucinated_flagged: r4(div(tn, tn + fp)),
    f1_grounded: r4(f1Grounded),
    f1_hallucinated: r4(f1Halluc),
    macro_f1: r4((f1Grounded + f1Halluc) / 2),
    auc: r4(auc(judgements)),
  };
}

/** Mann-Whitney ROC AUC of `result.score` (ties count half). */
export function auc(judgements: readonly Judgement[]): number {
  const sorted = [...judgements].sort((a, b) => a.result.score - b.result.score);
  let pos = 0;
  let neg = 0;
  let rankSum = 0;
  let i = 0;
  while (i < sorted.length) {
    let j = i;
    while (j < sorted.length && sorted[j]!.result.score === sorted[i]!.result.score) j++;
    const avgRank = (i + 1 + j) / 2;
    for (let k = i; k < j; k++) {
      if (sorted[k]!.grounded) {
        pos++;
        rankSum += avgRank;
      } else neg++;
    }
    i = j;
  }
  return pos && neg ? (rankSum - (pos * (pos + 1)) / 2) / (pos * neg) : 0;
}
