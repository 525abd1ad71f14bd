import { describe, expect, it } from 'vitest';
import { foldLook, initialState, oneProportionMsprt, twoProportionMsprt, twoProportionZTest, type MixtureOptions, type SequentialState } from './sequential.ts';
import { binomial, seededRandom } from './test-random.ts';

const ALPHA = 0.05;

interface Scenario {
  label: string;
  /** True rates: equal for A/A. */
  control: number;
  candidate: number;
  /** Observations added per look to each arm. */
  batch: { control: number; candidate: number };
  looks: number;
  minSamples: number;
  experiments: number;
  seed: number;
  mixture?: MixtureOptions;
}

/**
 * Many simulated experiments, each checked after every batch (repeated peeking). Returns the share of
 * experiments in which each test EVER rejected "no difference" (the mSPRT through the same foldLook the
 * service uses; the naive test is a fresh z-test at every look), and the share where the mSPRT's
 * confidence sequence ever missed the true difference.
 */
function simulate(s: Scenario) {
  const rand = seededRandom(s.seed);
  const truth = s.candidate - s.control;
  let msprt = 0;
  let naive = 0;
  let csMiss = 0;
  let stoppedAt = 0;
  for (let e = 0; e < s.experiments; e++) {
    let x1 = 0, n1 = 0, x2 = 0, n2 = 0;
    let state: SequentialState = initialState();
    let naiveRejected = false;
    let missed = false;
    for (let l = 0; l < s.looks; l++) {
      x1 += binomial(rand, s.batch.control, s.control);
      n1 += s.batch.control;
      x2 += binomial(rand, s.batch.candidate, s.candidate);
      n2 += s.batch.candidate;
      const enough = Math.min(n1, n2) >= s.minSamples;
      const arms = { controlSuccesses: x1, controlN: n1, candidateSuccesses: x2, candidateN: n2 };
      const look = twoProportionMsprt(arms, 0, s.mixture);
      const before = state.rejected;
      state = foldLook(state, look, enough, new Date(0));
      if (!before && state.rejected) stoppedAt += n2;
      if (enough) {
        const atTruth = twoProportionMsprt(arms, truth, s.mixture);
        if (atTruth.reject) missed = true;
        if (twoProportionZTest(arms).pValue < ALPHA) naiveRejected = true;
      }
    }
    if (state.rejected) msprt++;
    if (naiveRejected) naive++;
    if (missed) csMiss++;
    expect(state.pValue <= ALPHA).toBe(state.rejected !== null);
  }
  return { msprt: msprt / s.experiments, naive: naive / s.experiments, csMiss: csMiss / s.experiments, meanStopN: msprt > 0 ? stoppedAt / msprt : null };
}

/** α plus three standard errors of a rejection rate measured over `experiments` runs. */
const tolerance = (experiments: number) => ALPHA + 3 * Math.sqrt((ALPHA * (1 - ALPHA)) / experiments);

describe('always-valid sequential test (mSPRT)', () => {
  const figures: Record<string, unknown> = {};

  it('A/A, equal split, checked after every batch of 50: false positives stay ≤ α; a naive repeated z-test exceeds α', () => {
    const s: Scenario = { label: 'A/A p=0.20 50/50', control: 0.2, candidate: 0.2, batch: { control: 50, candidate: 50 }, looks: 40, minSamples: 100, experiments: 2000, seed: 1 };
    const r = simulate(s);
    figures[s.label] = r;
    expect(r.msprt).toBeLessThanOrEqual(tolerance(s.experiments));
    expect(r.csMiss).toBeLessThanOrEqual(tolerance(s.experiments));
    // The same peeking with the fixed-sample test: well above α, so this simulation can catch an invalid test.
    expect(r.naive).toBeGreaterThan(tolerance(s.experiments));
  });

  it('A/A at a canary split (95/5) and a low base rate (3%): still ≤ α', () => {
    for (const s of [
      { label: 'A/A p=0.20 95/5', control: 0.2, candidate: 0.2, batch: { control: 190, candidate: 10 }, looks: 60, minSamples: 100, experiments: 1500, seed: 2 },
      { label: 'A/A p=0.03 50/50', control: 0.03, candidate: 0.03, batch: { control: 100, candidate: 100 }, looks: 30, minSamples: 100, experiments: 1500, seed: 3, mixture: { alpha: ALPHA, tau: 0.02 } },
    ] satisfies Scenario[]) {
      const r = simulate(s);
      figures[s.label] = r;
      expect(r.msprt, s.label).toBeLessThanOrEqual(tolerance(s.experiments));
      expect(r.naive, s.label).toBeGreaterThan(ALPHA);
    }
  });

  it('detects a real difference, and its confidence sequence covers the true difference', () => {
    const s: Scenario = { label: 'A/B 0.20 vs 0.26', control: 0.2, candidate: 0.26, batch: { control: 50, candidate: 50 }, looks: 40, minSamples: 100, experiments: 500, seed: 4 };
    const r = simulate(s);
    figures[s.label] = r;
    expect(r.msprt).toBeGreaterThan(0.8);
    expect(r.csMiss).toBeLessThanOrEqual(tolerance(s.experiments));
    console.log('sequential test simulation figures', JSON.stringify(figures));
  });

  it('formulas: Λ, p-value and confidence sequence agree; more data narrows the sequence', () => {
    const t = twoProportionMsprt({ controlSuccesses: 200, controlN: 1000, candidateSuccesses: 260, candidateN: 1000 });
    expect(t.estimate).toBeCloseTo(0.06, 10);
    expect(t.pValue).toBeCloseTo(1 / t.lambda, 10);
    expect(t.reject).toBe(t.low > 0);
    // At the boundary of the sequence Λ(θ0) = 1/α.
    expect(twoProportionMsprt({ controlSuccesses: 200, controlN: 1000, candidateSuccesses: 260, candidateN: 1000 }, t.low).lambda).toBeCloseTo(1 / ALPHA, 6);
    const bigger = twoProportionMsprt({ controlSuccesses: 2000, controlN: 10000, candidateSuccesses: 2600, candidateN: 10000 });
    expect(bigger.high - bigger.low).toBeLessThan(t.high - t.low);
    // No zero variance with all-failure arms.
    expect(Number.isFinite(twoProportionMsprt({ controlSuccesses: 0, controlN: 100, candidateSuccesses: 0, candidateN: 100 }).lambda)).toBe(true);
    const one = oneProportionMsprt(30, 500, 0.02);
    expect(one.estimate).toBeCloseTo(0.06, 10);
    expect(one.reject).toBe(true);
  });

  it('the running state: looks below the minimum sample do not count; a rejection stands', () => {
    const reject = twoProportionMsprt({ controlSuccesses: 100, controlN: 1000, candidateSuccesses: 300, candidateN: 1000 });
    const calm = twoProportionMsprt({ controlSuccesses: 100, controlN: 1000, candidateSuccesses: 101, candidateN: 1000 });
    expect(foldLook(undefined, reject, false, new Date(0))).toEqual(initialState());
    const s1 = foldLook(undefined, reject, true, new Date(0));
    expect(s1.rejected).toMatchObject({ direction: 'higher' });
    const s2 = foldLook(s1, calm, true, new Date(1000));
    expect(s2.rejected).toEqual(s1.rejected);
    expect(s2.pValue).toBe(s1.pValue);
    expect(s2.looks).toBe(2);
  });
});
