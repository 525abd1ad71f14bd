import { describe, expect, it } from 'vitest';
import type { GroundingResult } from '@cc/knowledge';
import { auc, binaryMetrics, judgeHalu, type Judgement } from './evaluate.ts';

const j = (grounded: boolean, score: number, supported = score >= 0.5): Judgement => ({ grounded, ms: 0, result: { supported, score, unsupportedSpans: [], claims: [], scorer: 't' } as GroundingResult });

describe('grounding bench metrics', () => {
  it('computes accuracy, per-class F1, macro-F1 and AUC', () => {
    const js = [j(true, 0.9), j(true, 0.8), j(true, 0.3), j(false, 0.6), j(false, 0.1), j(false, 0.2)];
    const m = binaryMetrics(js);
    expect(m).toMatchObject({ n: 6, accuracy: 0.6667, grounded_accepted: 0.6667, hallucinated_flagged: 0.6667, f1_grounded: 0.6667, f1_hallucinated: 0.6667, macro_f1: 0.6667 });
    expect(auc(js)).toBeCloseTo(8 / 9, 4);
    expect(auc([j(true, 0.5), j(false, 0.5)])).toBe(0.5);
    expect(binaryMetrics(js, 0.05).accuracy).toBe(0.5);
  });

  it('judges both answers of a HaluEval record', () => {
    const out = judgeHalu([{ index: 0, knowledge: 'The Oberoi Group is a hotel company with its head office in Delhi.', question: 'Where is the head office of the Oberoi Group?', rightAnswer: 'Delhi', hallucinatedAnswer: 'Mumbai, the financial capital of India.' }]);
    expect(out.map((x) => [x.grounded, x.result.supported])).toEqual([
      [true, true],
      [false, false],
    ]);
  });
});
