import { describe, expect, it } from 'vitest';
import {
  answerClaims,
  callCost,
  classifyCallOutcome,
  confusion,
  costPerConversation,
  coverage,
  drift,
  hallucinationRate,
  intentAccuracy,
  jsDivergence,
  latencyPerStage,
  outcomeRates,
  psi,
  quantile,
  rate,
} from './definitions.ts';

describe('metric definitions', () => {
  it('intent accuracy counts labelled turns only, exact matches', () => {
    const turns = [
      { label: 'a', predicted: 'a' },
      { label: 'a', predicted: 'b' },
      { label: 'b', predicted: 'b' },
      { label: null, predicted: 'x' },
      { predicted: 'y' },
    ];
    expect(intentAccuracy(turns)).toEqual({ numerator: 2, denominator: 3, value: 2 / 3 });
    expect(intentAccuracy([]).value).toBeNull();
  });

  it('coverage counts in-scope predictions of labelled turns', () => {
    const turns = [
      { label: 'a', predicted: 'b' },
      { label: 'a', predicted: 'out_of_scope' },
      { label: 'a', predicted: null },
      { label: 'a', predicted: '' },
    ];
    expect(coverage(turns)).toEqual({ numerator: 1, denominator: 4, value: 0.25 });
  });

  it('confusion is sorted by count, errors only on request, top-N', () => {
    const turns = [
      { label: 'a', predicted: 'b' },
      { label: 'a', predicted: 'b' },
      { label: 'a', predicted: 'a' },
      { label: 'c', predicted: null },
    ];
    expect(confusion(turns)).toEqual([
      { label: 'a', predicted: 'b', count: 2 },
      { label: 'a', predicted: 'a', count: 1 },
      { label: 'c', predicted: '', count: 1 },
    ]);
    expect(confusion(turns, { errorsOnly: true, top: 1 })).toEqual([{ label: 'a', predicted: 'b', count: 2 }]);
  });

  it('classifies a call: escalated beats everything, waiting at the end is abandoned, otherwise contained', () => {
    expect(classifyCallOutcome([{ kind: 'answer' }, { kind: 'escalate', reason: 'caller asked for a human' }])).toMatchObject({ outcome: 'escalated', resolved: false, reason: 'caller asked for a human' });
    expect(classifyCallOutcome([{ kind: 'answer' }, { kind: 'ask_slot' }])).toMatchObject({ outcome: 'abandoned', resolved: false });
    expect(classifyCallOutcome([])).toMatchObject({ outcome: 'abandoned' });
    expect(classifyCallOutcome([{ kind: 'ask_slot' }, { kind: 'run_action' }, { kind: 'say' }])).toMatchObject({ outcome: 'contained', resolved: true });
    expect(classifyCallOutcome([{ kind: 'say' }])).toMatchObject({ outcome: 'contained', resolved: false });
  });

  it('outcome rates: each call counted once, FCR only among contained', () => {
    const r = outcomeRates([
      { outcome: 'contained', resolved: true },
      { outcome: 'contained', resolved: false },
      { outcome: 'escalated', resolved: false },
      { outcome: 'abandoned', resolved: false },
    ]);
    expect(r.containment.value).toBe(0.5);
    expect(r.escalation.value).toBe(0.25);
    expect(r.abandonment.value).toBe(0.25);
    expect(r.fcr.value).toBe(0.25);
    expect(r.containment.value! + r.escalation.value! + r.abandonment.value!).toBe(1);
  });

  it('hallucination rate is unsupported over judged answers, undefined without answers', () => {
    expect(hallucinationRate([{ value: 1 }, { value: 0 }, { value: 0 }, { value: 0 }]).value).toBe(0.25);
    expect(hallucinationRate([]).value).toBeNull();
  });

  it('quantiles by nearest rank and per stage', () => {
    const v = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(quantile(v, 0.5)).toBe(50);
    expect(quantile(v, 0.95)).toBe(95);
    expect(quantile([7], 0.95)).toBe(7);
    expect(quantile([], 0.5)).toBeNull();
    const rows = [...v.map((d) => ({ stage: 'nlu', durationMs: d })), { stage: 'llm', durationMs: 3 }];
    expect(latencyPerStage(rows)).toEqual([
      { stage: 'llm', n: 1, p50: 3, p95: 3 },
      { stage: 'nlu', n: 100, p50: 50, p95: 95 },
    ]);
  });

  it('cost: audio minutes and tokens times prices; configurable', () => {
    const turns = [{ callerChars: 900, agentChars: 900, llm: false }];
    // 60 s of ASR and 60 s of TTS, no tokens, one turn.
    const c = callCost(turns, { asrPerMinute: 1, ttsPerMinute: 2, perTurnCompute: 0.5 });
    expect(c).toMatchObject({ asrSeconds: 60, ttsSeconds: 60, llmInputTokens: 0, llmOutputTokens: 0, turns: 1 });
    expect(c.usd).toBeCloseTo(3.5, 8);
    const withLlm = callCost([{ callerChars: 40, agentChars: 400, llm: true }], { asrPerMinute: 0, ttsPerMinute: 0, perTurnCompute: 0, llmInputPer1kTokens: 1, llmOutputPer1kTokens: 10 });
    expect(withLlm.llmInputTokens).toBe(810);
    expect(withLlm.llmOutputTokens).toBe(100);
    expect(withLlm.usd).toBeCloseTo(0.81 + 1, 8);
    expect(costPerConversation([1, 2, 3])).toBe(2);
    expect(costPerConversation([])).toBeNull();
  });

  it('answer claims leave out the questions appended to a KB answer', () => {
    expect(answerClaims('Returns are accepted within 90 days. Is there anything else I can help you with?')).toBe('Returns are accepted within 90 days.');
    expect(answerClaims('Refunds take 5 days! Which city? Anything else?')).toBe('Refunds take 5 days!');
    expect(answerClaims('No question here.')).toBe('No question here.');
    expect(answerClaims('Only a question?')).toBe('');
  });

  it('rate of zero denominator is null', () => {
    expect(rate(0, 0)).toEqual({ numerator: 0, denominator: 0, value: null });
  });

  it('drift: identical windows score 0 and do not alert; a shifted mix and a confidence drop alert', () => {
    const base = { intents: [...Array(50).fill('a'), ...Array(50).fill('b')], confidences: Array(100).fill(0.9) };
    expect(psi(base.intents, base.intents)).toBeCloseTo(0, 10);
    expect(jsDivergence(base.intents, base.intents)).toBeCloseTo(0, 10);
    expect(drift(base, base)).toMatchObject({ alert: false, reasons: [] });

    const shifted = { intents: [...Array(90).fill('a'), ...Array(10).fill('b')], confidences: Array(100).fill(0.9) };
    const d = drift(base, shifted);
    // PSI = (0.9-0.5) ln(0.9/0.5) + (0.1-0.5) ln(0.1/0.5) ≈ 0.879
    expect(d.psi).toBeCloseTo(0.4 * Math.log(1.8) + 0.4 * Math.log(5), 3);
    expect(d.alert).toBe(true);
    expect(d.jsDivergence).toBeGreaterThan(0);
    expect(d.jsDivergence).toBeLessThanOrEqual(1);

    const unsure = { intents: base.intents, confidences: Array(100).fill(0.7) };
    const u = drift(base, unsure);
    expect(u.psi).toBeCloseTo(0, 10);
    expect(u.confidenceDelta).toBeCloseTo(-0.2, 10);
    expect(u.alert).toBe(true);

    // A new intent in the current window keeps PSI finite.
    expect(Number.isFinite(psi(['a', 'a'], ['a', 'c']))).toBe(true);
    expect(drift({ intents: [], confidences: [] }, shifted).alert).toBe(false);
  });
});
