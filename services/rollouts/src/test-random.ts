/** Seeded PRNG for the simulations (mulberry32): reproducible runs, no flaky statistics. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Successes in n Bernoulli(p) draws. */
export function binomial(rand: () => number, n: number, p: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) if (rand() < p) s++;
  return s;
}
