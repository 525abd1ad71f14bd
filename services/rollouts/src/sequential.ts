import { normalCdf } from './stats.ts';

/**
 * Always-valid inference: the mixture sequential probability ratio test (mSPRT) with a normal mixture,
 * as in Johari, Koomen, Pekelis & Walsh, "Always Valid Inference: Continuous Monitoring of A/B Tests"
 * (Operations Research 2022; arXiv 1512.04922).
 *
 * The estimate θ̂ (a difference of two proportions, or one proportion) is treated as normal with
 * variance V, estimated from the data at each look. Mixing the likelihood ratio of θ against θ0 over
 * a prior θ ~ N(θ0, τ²) gives
 *
 *   Λ = √(V / (V + τ²)) · exp( τ² (θ̂ − θ0)² / (2 V (V + τ²)) )
 *
 * Λ is (asymptotically) a nonnegative martingale under θ = θ0 with mean 1, so by Ville's inequality
 * P(Λ ever reaches 1/α) ≤ α however often one looks. Hence
 *   - always-valid p-value: p_t = min over looks s ≤ t of min(1, 1/Λ_s) (never increases);
 *   - confidence sequence: {θ0 : Λ(θ0) < 1/α} = θ̂ ± √( (2V(V+τ²)/τ²) · (ln(1/α) + ½ ln((V+τ²)/V)) ),
 *     which covers θ at every look simultaneously with probability ≥ 1 − α.
 * Rejecting θ = θ0 at a look is the same as θ0 falling outside that look's confidence sequence.
 *
 * V uses Agresti–Caffo adjusted rates p̃ = (x + 1) / (n + 2), so it is never zero (all-success or
 * all-failure arms) and small samples are not overconfident. No decision is taken below a minimum
 * sample size per arm, where the normal approximation is poor.
 */
export interface MixtureOptions {
  /** Significance level: the chance of ever rejecting a true null, whatever the number of looks. */
  alpha: number;
  /** Standard deviation τ of the normal mixture over the effect, in the units of θ (proportion points). */
  tau: number;
}

export const DEFAULT_MIXTURE: MixtureOptions = { alpha: 0.05, tau: 0.05 };

export interface SequentialLook {
  /** θ̂: candidate − control (two arms) or the rate itself (one arm). */
  estimate: number;
  /** Estimated variance of θ̂. */
  variance: number;
  /** θ0, the null value tested. */
  nullValue: number;
  /** Mixture likelihood ratio against θ0 at this look. */
  lambda: number;
  /** min(1, 1/Λ) at this look; the always-valid p-value is the running minimum of these. */
  pValue: number;
  /** The (1 − α) confidence sequence for θ at this look. */
  low: number;
  high: number;
  /** Λ ≥ 1/α: θ0 lies outside the confidence sequence. */
  reject: boolean;
}

function look(estimate: number, variance: number, nullValue: number, { alpha, tau }: MixtureOptions): SequentialLook {
  const t2 = tau * tau;
  const logLambda = 0.5 * Math.log(variance / (variance + t2)) + (t2 * (estimate - nullValue) ** 2) / (2 * variance * (variance + t2));
  const half = Math.sqrt(((2 * variance * (variance + t2)) / t2) * (Math.log(1 / alpha) + 0.5 * Math.log((variance + t2) / variance)));
  return {
    estimate,
    variance,
    nullValue,
    lambda: Math.exp(logLambda),
    pValue: Math.min(1, Math.exp(-logLambda)),
    low: estimate - half,
    high: estimate + half,
    reject: logLambda >= Math.log(1 / alpha),
  };
}

const adjustedVariance = (x: number, n: number) => {
  const p = (x + 1) / (n + 2);
  return (p * (1 - p)) / n;
};

export interface TwoArms {
  controlSuccesses: number;
  controlN: number;
  candidateSuccesses: number;
  candidateN: number;
}

/** mSPRT for θ = p_candidate − p_control against θ0 (default 0). Both arms need n ≥ 1. */
export function twoProportionMsprt(arms: TwoArms, nullValue = 0, opts: MixtureOptions = DEFAULT_MIXTURE): SequentialLook {
  const { controlSuccesses: x1, controlN: n1, candidateSuccesses: x2, candidateN: n2 } = arms;
  if (n1 < 1 || n2 < 1) throw new RangeError('twoProportionMsprt needs at least one observation per arm');
  return look(x2 / n2 - x1 / n1, adjustedVariance(x1, n1) + adjustedVariance(x2, n2), nullValue, opts);
}

/** mSPRT for one proportion θ = p against θ0. */
export function oneProportionMsprt(successes: number, n: number, nullValue: number, opts: MixtureOptions = DEFAULT_MIXTURE): SequentialLook {
  if (n < 1) throw new RangeError('oneProportionMsprt needs at least one observation');
  return look(successes / n, adjustedVariance(successes, n), nullValue, opts);
}

/** What the running test remembers between looks (kept per rollout and metric). */
export interface SequentialState {
  /** The always-valid p-value so far: the minimum of the per-look p-values (looks after the minimum sample). */
  pValue: number;
  /** Looks counted (after the minimum sample size was reached). */
  looks: number;
  /** The first look at which θ0 was rejected, and the side θ̂ was on then. */
  rejected: { at: string; direction: 'higher' | 'lower'; estimate: number } | null;
}

export const initialState = (): SequentialState => ({ pValue: 1, looks: 0, rejected: null });

/**
 * Fold one look into the state. Looks before the minimum sample size do not count (no decision is
 * taken on them). Once rejected, the rejection stands: the always-valid p-value never increases.
 */
export function foldLook(state: SequentialState | undefined, current: SequentialLook | null, enoughData: boolean, at: Date): SequentialState {
  const prev = state ?? initialState();
  if (!current || !enoughData) return prev;
  const rejected =
    prev.rejected ?? (current.reject ? { at: at.toISOString(), direction: current.estimate >= current.nullValue ? ('higher' as const) : ('lower' as const), estimate: current.estimate } : null);
  return { pValue: Math.min(prev.pValue, current.pValue), looks: prev.looks + 1, rejected };
}

/**
 * The classical two-sided two-proportion z-test (pooled variance). Valid for ONE look at a sample size
 * fixed in advance; checked repeatedly it rejects a true null far more often than α (see the A/A test).
 */
export function twoProportionZTest(arms: TwoArms): { z: number; pValue: number } {
  const { controlSuccesses: x1, controlN: n1, candidateSuccesses: x2, candidateN: n2 } = arms;
  const pooled = (x1 + x2) / (n1 + n2);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  if (se === 0) return { z: 0, pValue: 1 };
  const z = (x2 / n2 - x1 / n1) / se;
  return { z, pValue: 2 * (1 - normalCdf(Math.abs(z))) };
}
