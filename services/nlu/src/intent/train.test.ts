import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '@cc/core';
import { decide, fitTemperature, fitThresholds, expectedCalibrationError, type HeldOutLogits } from './calibrate.ts';
import { prng } from './nets.ts';
import { serializeIntentModel } from './artifact.ts';
import { evaluateIntentModel } from './evaluate.ts';
import { stratifiedFolds, trainIntentModel } from './train.ts';
import { GARBAGE, TOY_OOS, toyIntentData } from './testing.ts';

const toy = toyIntentData();
const fast = { minSteps: 200 };
const trained = trainIntentModel(toy.train, { name: 'toy', net: fast, folds: 3 });

describe('trainIntentModel', () => {
  it('learns a toy dataset, including phrasings it never saw', () => {
    const r = evaluateIntentModel(trained.model, toy.test);
    expect(r.acc).toBeGreaterThanOrEqual(0.9);
    expect(trained.report.intents).toEqual(['check_balance', 'lost_card', 'open_account', 'transfer_money']);
    expect(trained.model.classify('i would like to check my balance please')).toMatchObject({ intent: 'check_balance', outOfScope: false });
  });

  it('is deterministic for a seed: same data and options give the same artifact bytes', () => {
    const again = trainIntentModel(toy.train, { name: 'toy', net: fast, folds: 3 });
    const summary = (r: typeof trained) => ({ dataSha256: 'x', examples: toy.train.length, report: r.report });
    expect(serializeIntentModel(again.model, summary(again))).toBe(serializeIntentModel(trained.model, summary(trained)));
    const other = trainIntentModel(toy.train, { name: 'toy', net: { ...fast, seed: 2 }, folds: 3 });
    expect(Array.from(other.model.net.w1.slice(0, 50))).not.toEqual(Array.from(trained.model.net.w1.slice(0, 50)));
  });

  it('rejects garbage and foreign-language input, with low confidence', () => {
    for (const text of GARBAGE) {
      const r = trained.model.classify(text);
      expect(r.outOfScope, text).toBe(true);
      expect(r.confidence, text).toBeLessThan(0.5);
    }
  });

  it('rejects unseen out-of-scope utterances once thresholds are tuned on held-out out-of-scope ones', () => {
    const tuneOos = TOY_OOS.filter((_, i) => i % 2 === 0);
    const testOos = TOY_OOS.filter((_, i) => i % 2 === 1);
    const m = trainIntentModel(toy.train, { name: 'toy', net: fast, heldOut: [...toy.test.slice(0, 50), ...tuneOos.map((text) => ({ text, intent: 'oos' }))] });
    const r = evaluateIntentModel(m.model, [...toy.test.slice(50), ...testOos.map((text) => ({ text, intent: 'oos' }))]);
    expect(r.oosRecall).toBeGreaterThanOrEqual(0.75);
    expect(r.inscopeAcc).toBeGreaterThanOrEqual(0.85);
  });

  it('takes thresholds and temperature from held-out data', () => {
    // k-fold without OOS examples: recall-quantile thresholds from out-of-fold predictions
    expect(trained.report.heldOut).toMatchObject({ source: 'k-fold', folds: 3, items: toy.train.length });
    expect(trained.report.thresholds.method).toBe('recall-quantile');
    // a given held-out set with OOS items: expected-accuracy thresholds, and they move with the held-out data
    const heldOut = [...toy.test.slice(0, 60), ...TOY_OOS.map((text) => ({ text, intent: 'oos' }))];
    const a = trainIntentModel(toy.train, { name: 'toy', net: fast, heldOut });
    expect(a.report.heldOut).toMatchObject({ source: 'given', items: heldOut.length, oosItems: TOY_OOS.length });
    expect(a.report.thresholds.method).toBe('expected-accuracy');
    expect(a.report.heldOut.source === 'given' && a.report.heldOut.oosRecall).toBeGreaterThan(0.8);
    for (const intent of a.report.intents) expect(a.model.threshold(intent)).toBe(a.report.thresholds.perIntent[intent]);
    const noOos = trainIntentModel(toy.train, { name: 'toy', net: fast, heldOut: heldOut.filter((e) => e.intent !== 'oos') });
    expect(noOos.report.thresholds.method).toBe('recall-quantile');
    expect(noOos.report.thresholds.perIntent).not.toEqual(a.report.thresholds.perIntent);
  });

  it('trains an out-of-scope class from examples labelled oos', () => {
    const r = trainIntentModel([...toy.train, ...TOY_OOS.slice(0, 8).map((text) => ({ text, intent: 'oos' }))], { name: 'toy', net: fast, folds: 3 });
    expect(r.model.oosClass).toBe(4);
    expect(r.model.intents).not.toContain('oos');
    expect(r.report.oosExamples).toBe(8);
  });

  it('refuses unusable training data with a clear error', () => {
    expect(() => trainIntentModel([{ text: 'hi', intent: 'a' }], {})).toThrow(ValidationError);
    expect(() => trainIntentModel([{ text: 5, intent: 'a' }] as never, {})).toThrow(/0\.text: must be a string/);
    expect(() => trainIntentModel(toy.train, { heldOut: [{ text: 'x', intent: 'nope' }] })).toThrow(/nope/);
  });
});

describe('classify never throws', () => {
  const model = trained.model;
  it('returns out of scope with zero confidence for empty, non-string, over-long input', () => {
    for (const x of ['', '   ', '?!', null, undefined, 42, {}, ['check my balance'], 'check my balance '.repeat(200)]) {
      const r = model.classify(x);
      expect(r.outOfScope).toBe(true);
      expect(r.intent).toBeNull();
      expect(r.confidence).toBe(0);
    }
    expect(model.classify('x'.repeat(5000)).reason).toBe('too_long');
  });

  it('holds for arbitrary strings', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 300 }), fc.string({ unit: 'grapheme', maxLength: 50 }), fc.string({ unit: 'binary', maxLength: 50 })), (s) => {
        const r = model.classify(s);
        expect(typeof r.outOfScope).toBe('boolean');
        expect(r.confidence).toBeGreaterThanOrEqual(0);
        expect(r.confidence).toBeLessThanOrEqual(1);
        expect(r.outOfScope ? r.intent === null : typeof r.intent === 'string').toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

describe('calibration and thresholds', () => {
  it('temperature scaling recovers an over-confident model and lowers ECE', () => {
    const rand = prng(9);
    const items: HeldOutLogits[] = [];
    for (let i = 0; i < 2000; i++) {
      const z = Float32Array.from({ length: 5 }, () => rand() * 2);
      const p = z.map((v) => Math.exp(v));
      const s = p.reduce((a, b) => a + b, 0);
      let u = rand() * s;
      let label = 0;
      while (label < 4 && (u -= p[label]!) > 0) label++;
      items.push({ logits: z.map((v) => v * 3), label }); // logits 3× too sharp
    }
    const t = fitTemperature(items);
    expect(t).toBeGreaterThan(2.5);
    expect(t).toBeLessThan(3.5);
    expect(expectedCalibrationError(decide(items, t, undefined))).toBeLessThan(expectedCalibrationError(decide(items, 1, undefined)));
  });

  it('puts the threshold between out-of-scope and in-scope confidences', () => {
    const decisions = [
      ...Array.from({ length: 40 }, (_, i) => ({ predicted: i % 2, confidence: 0.7 + (i % 10) / 50, correct: true, oos: false, oosClassWon: false, guarded: false })),
      ...Array.from({ length: 20 }, (_, i) => ({ predicted: i % 2, confidence: 0.2 + (i % 10) / 40, correct: false, oos: true, oosClassWon: false, guarded: false })),
    ];
    const t = fitThresholds(decisions, 2);
    expect(t.method).toBe('expected-accuracy');
    for (const v of t.perIntent) {
      expect(v).toBeGreaterThan(0.425);
      expect(v).toBeLessThanOrEqual(0.7);
    }
  });

  it('stratified folds spread every intent over the folds', () => {
    const labels = Int32Array.from([0, 0, 0, 0, 0, 1, 1, 2]);
    const folds = stratifiedFolds(labels, 3, 1);
    expect(new Set(folds.filter((_, i) => labels[i] === 0)).size).toBe(3);
    expect(new Set(folds.filter((_, i) => labels[i] === 1)).size).toBe(2);
  });
});
