import { mulberry32 } from '@cc/core';

/** Seeded PRNG for the simulations (mulberry32): reproducible runs, no flaky statistics. */
export const seededRandom = mulberry32;

/** Successes in n Bernoulli(p) draws. */
export function binomial(rand: () => number, n: number, p: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) if (rand() < p) s++;
  return s;
}
