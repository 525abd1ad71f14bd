import { describe, expect, it } from 'vitest';
import { meanInterval, normalCdf, normalQuantile, quantileInterval, quantileRanks, wilson, zFor } from './stats.ts';
import { seededRandom } from './test-random.ts';

describe('statistics', () => {
  it('normal distribution', () => {
    expect(zFor(0.95)).toBeCloseTo(1.959964, 5);
    expect(normalQuantile(0.5)).toBeCloseTo(0, 9);
    expect(normalQuantile(0.001)).toBeCloseTo(-3.090232, 5);
    expect(normalCdf(1.959964)).toBeCloseTo(0.975, 6);
    expect(normalCdf(-3)).toBeCloseTo(0.0013499, 6);
    for (const p of [0.01, 0.2, 0.7, 0.999]) expect(normalCdf(normalQuantile(p))).toBeCloseTo(p, 6);
  });

  it('Wilson interval', () => {
    const w = wilson(8, 10);
    expect(w.estimate).toBe(0.8);
    expect(w.low).toBeCloseTo(0.4902, 4);
    expect(w.high).toBeCloseTo(0.9433, 4);
    expect(wilson(0, 50).low).toBe(0);
    expect(wilson(0, 50).high).toBeGreaterThan(0.05);
    expect(wilson(0, 0)).toMatchObject({ n: 0, estimate: null, low: null, high: null });
  });

  it('Wilson interval covers a small rate at about its level', () => {
    const rand = seededRandom(11);
    let covered = 0;
    const reps = 4000;
    for (let r = 0; r < reps; r++) {
      let s = 0;
      for (let i = 0; i < 200; i++) if (rand() < 0.03) s++;
      const w = wilson(s, 200);
      if (w.low! <= 0.03 && 0.03 <= w.high!) covered++;
    }
    expect(covered / reps).toBeGreaterThan(0.93);
  });

  it('mean interval', () => {
    const m = meanInterval(4, 10, 30); // 1,2,3,4
    expect(m.estimate).toBe(2.5);
    expect(m.high! - m.estimate!).toBeCloseTo(1.96 * Math.sqrt(1.6666667 / 4), 3);
    expect(meanInterval(1, 3, 9)).toMatchObject({ estimate: 3, low: null, high: null });
  });

  it('order-statistic interval for p95 covers the true quantile', () => {
    expect(quantileRanks(100, 0.95)).toEqual({ lower: 90, point: 95, upper: null }); // 95 + 1.96·√4.75 rounds past n
    expect(quantileRanks(1000, 0.95)).toEqual({ lower: 936, point: 950, upper: 965 });
    expect(quantileRanks(10, 0.95)).toMatchObject({ point: 10, upper: null });
    const rand = seededRandom(5);
    const truth = -Math.log(0.05) * 100; // p95 of Exponential(mean 100 ms)
    for (const n of [100, 1000]) {
      let covered = 0;
      let bounded = 0;
      const reps = 2000;
      for (let r = 0; r < reps; r++) {
        const xs = Array.from({ length: n }, () => -Math.log(1 - rand()) * 100);
        const q = quantileInterval(xs, 0.95);
        if ((q.low === null || q.low <= truth) && (q.high === null || truth <= q.high)) covered++;
        if (q.low !== null && q.high !== null) bounded++;
      }
      expect(covered / reps, `n=${n}`).toBeGreaterThanOrEqual(0.94);
      if (n === 1000) expect(bounded).toBe(reps);
    }
  });
});
