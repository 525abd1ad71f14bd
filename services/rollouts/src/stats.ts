/**
 * Small, dependency-free statistics: the normal distribution, Wilson intervals for proportions,
 * normal intervals for means, and order-statistic ranks for a quantile's confidence interval.
 */

/** Standard normal CDF, via erfc (Numerical Recipes' Chebyshev fit, |error| < 1.2e-7). */
export function normalCdf(x: number): number {
  return 0.5 * erfc(-x / Math.SQRT2);
}

function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

/** Standard normal quantile (Acklam's rational approximation, relative error < 1.2e-9). */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`normalQuantile needs 0 < p < 1, got ${p}`);
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const low = 0.02425;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  }
  if (p > 1 - low) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) / (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
}

/** z for a two-sided interval of `level` (0.95 → 1.96). */
export function zFor(level: number): number {
  return normalQuantile(1 - (1 - level) / 2);
}

export interface Interval {
  estimate: number | null;
  low: number | null;
  high: number | null;
}

export interface ProportionEstimate extends Interval {
  successes: number;
  n: number;
}

/**
 * Wilson score interval: the set of p whose score test does not reject at `level`. Unlike the Wald
 * interval it stays inside [0, 1] and keeps its coverage near 0 and 1 and for small n.
 */
export function wilson(successes: number, n: number, level = 0.95): ProportionEstimate {
  if (n <= 0) return { successes: 0, n: 0, estimate: null, low: null, high: null };
  const z = zFor(level);
  const p = successes / n;
  const z2n = (z * z) / n;
  const centre = (p + z2n / 2) / (1 + z2n);
  const half = (z / (1 + z2n)) * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n));
  return { successes, n, estimate: p, low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

export interface MeanEstimate extends Interval {
  n: number;
}

/** Mean with a normal (CLT) interval from the sum and the sum of squares; null bounds below 2 samples. */
export function meanInterval(n: number, sum: number, sumOfSquares: number, level = 0.95): MeanEstimate {
  if (n <= 0) return { n: 0, estimate: null, low: null, high: null };
  const mean = sum / n;
  if (n < 2) return { n, estimate: mean, low: null, high: null };
  const variance = Math.max(0, (sumOfSquares - n * mean * mean) / (n - 1));
  const half = zFor(level) * Math.sqrt(variance / n);
  return { n, estimate: mean, low: mean - half, high: mean + half };
}

/**
 * 1-based ranks (lower, point, upper) of the order statistics that bound the p-quantile with confidence
 * `level`, distribution-free: the number B of samples at or below the true quantile is Binomial(n, p),
 * and X(l) ≤ ξp < X(u) exactly when l ≤ B ≤ u − 1. l and u − 1 are np ∓ z·√(np(1−p)), rounded outwards
 * (the normal approximation to the binomial). A rank outside 1..n means that side is unbounded (null).
 * The SQL in metrics.ts computes the same ranks.
 */
export function quantileRanks(n: number, p: number, level = 0.95): { lower: number | null; point: number | null; upper: number | null } {
  if (n <= 0) return { lower: null, point: null, upper: null };
  const z = zFor(level);
  const sd = Math.sqrt(n * p * (1 - p));
  const lower = Math.floor(n * p - z * sd);
  const upper = Math.ceil(n * p + z * sd) + 1;
  return { lower: lower >= 1 ? lower : null, point: Math.max(1, Math.ceil(n * p)), upper: upper <= n ? upper : null };
}

/** The p-quantile and its order-statistic interval from samples (sorted here). */
export function quantileInterval(samples: readonly number[], p: number, level = 0.95): Interval & { n: number } {
  const sorted = [...samples].sort((x, y) => x - y);
  const r = quantileRanks(sorted.length, p, level);
  const at = (rank: number | null) => (rank === null ? null : sorted[rank - 1]!);
  return { n: sorted.length, estimate: at(r.point), low: at(r.lower), high: at(r.upper) };
}
