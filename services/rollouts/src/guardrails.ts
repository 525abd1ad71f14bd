import { z } from 'zod';
import { ValidationError } from '@cc/core';
import type { RolloutMetrics, VersionMetrics } from './metrics.ts';
import { foldLook, oneProportionMsprt, twoProportionMsprt, type MixtureOptions, type SequentialLook, type SequentialState } from './sequential.ts';

/**
 * Per-rollout thresholds, stored in rollouts.guardrails. A guardrail breaches only when the candidate is
 * beyond its threshold with always-valid confidence (the mSPRT confidence sequence lies entirely beyond
 * it), after the minimum sample size — so checking every minute does not raise false rollbacks.
 */
export const GuardrailConfig = z
  .object({
    /** X: roll back when the candidate's hallucination rate is above X (a proportion, e.g. 0.02). */
    maxHallucinationRate: z.number().gt(0).lt(1).optional(),
    /** Y: roll back when the candidate's p95 turn latency is above Y ms. */
    maxP95LatencyMs: z.number().positive().max(600_000).optional(),
    /** Z: roll back when the candidate's escalation rate is above control's by more than Z percentage points. */
    maxEscalationIncreasePoints: z.number().min(0).max(100).optional(),
    /** Level of every sequential decision (guardrails and verdicts). */
    alpha: z.number().gt(0).max(0.2).default(0.05),
    /** τ of the mSPRT's normal mixture (in proportion units): the size of effect the test is tuned to. */
    mixtureTau: z.number().gt(0).max(1).default(0.05),
    /** No decision before this many observations per arm (calls, scores or turns, per metric). */
    minSamples: z.number().int().min(30).max(10_000_000).default(100),
  })
  .strict();
export type GuardrailConfig = z.output<typeof GuardrailConfig>;
export type GuardrailConfigInput = z.input<typeof GuardrailConfig>;

/** The guardrails of a stored rollout (defaults filled in); a stored value that no longer parses is a 400-style error naming it. */
export function guardrailConfigOf(rollout: { guardrails: unknown }): GuardrailConfig {
  const parsed = GuardrailConfig.safeParse(rollout.guardrails ?? {});
  if (!parsed.success) {
    throw new ValidationError(
      'rollout guardrails',
      parsed.error.issues.map((i) => ({ path: ['guardrails', ...i.path].join('.'), message: i.message })),
    );
  }
  return parsed.data;
}

export const mixtureOf = (c: GuardrailConfig): MixtureOptions => ({ alpha: c.alpha, tau: c.mixtureTau });

export const GuardrailName = z.enum(['hallucination_rate', 'p95_latency', 'escalation_increase']);
export type GuardrailName = z.infer<typeof GuardrailName>;

export const GuardrailCheck = z.object({
  guardrail: GuardrailName,
  /** The threshold as configured: a rate, milliseconds, or percentage points. */
  threshold: z.number(),
  /** The candidate's value in the threshold's units (rate, p95 ms, or points above control); null without data. */
  observed: z.number().nullable(),
  /** Observations the decision rests on (for escalation: the smaller arm). */
  n: z.number().int(),
  status: z.enum(['ok', 'breached', 'insufficient_data']),
  /** The tested quantity, its always-valid confidence sequence and p-value against the threshold. */
  test: z
    .object({ quantity: z.string(), estimate: z.number(), low: z.number(), high: z.number(), nullValue: z.number(), pValue: z.number() })
    .nullable(),
  detail: z.string(),
});
export type GuardrailCheck = z.infer<typeof GuardrailCheck>;

export interface GuardrailEvaluation {
  breached: boolean;
  checks: GuardrailCheck[];
  breaches: GuardrailCheck[];
  /** One line naming every breach, for the audit log and the notification. */
  reason: string | null;
}

const pct = (x: number) => `${(x * 100).toFixed(2)}%`;
const testOf = (quantity: string, t: SequentialLook) => ({ quantity, estimate: t.estimate, low: t.low, high: t.high, nullValue: t.nullValue, pValue: t.pValue });

function hallucinationCheck(c: GuardrailConfig, max: number, cand: VersionMetrics): GuardrailCheck {
  const { successes, n } = cand.hallucination;
  const base = { guardrail: 'hallucination_rate' as const, threshold: max, observed: cand.hallucination.estimate, n };
  if (n < c.minSamples) {
    return { ...base, status: 'insufficient_data', test: null, detail: `hallucination rate: ${n} of ${c.minSamples} scores needed before a decision` };
  }
  const t = oneProportionMsprt(successes, n, max, mixtureOf(c));
  const breached = t.reject && t.estimate > max;
  return {
    ...base,
    status: breached ? 'breached' : 'ok',
    test: testOf('hallucination rate', t),
    detail: `hallucination rate ${pct(t.estimate)} (always-valid ${pct(1 - c.alpha)} CS ${pct(Math.max(0, t.low))}–${pct(Math.min(1, t.high))}, n=${n}) ${breached ? 'is above' : 'is not shown above'} the limit ${pct(max)}`,
  };
}

/** p95 > Y exactly when more than 5% of turns are slower than Y: a one-proportion test of that share against 0.05. */
function latencyCheck(c: GuardrailConfig, max: number, cand: VersionMetrics): GuardrailCheck {
  const over = cand.latencyOverThreshold;
  const n = cand.p95LatencyMs.n;
  const base = { guardrail: 'p95_latency' as const, threshold: max, observed: cand.p95LatencyMs.estimate, n };
  if (!over || over.thresholdMs !== max) throw new Error(`metrics were collected without the p95 threshold ${max} ms (collectRolloutMetrics latencyThresholdMs)`);
  if (n < c.minSamples) {
    return { ...base, status: 'insufficient_data', test: null, detail: `p95 latency: ${n} of ${c.minSamples} timed turns needed before a decision` };
  }
  const t = oneProportionMsprt(over.over, n, 0.05, mixtureOf(c));
  const breached = t.reject && t.estimate > 0.05;
  return {
    ...base,
    status: breached ? 'breached' : 'ok',
    test: testOf(`share of turns slower than ${max} ms`, t),
    detail: `p95 turn latency ${base.observed?.toFixed(0) ?? '?'} ms: ${pct(t.estimate)} of ${n} turns slower than ${max} ms (always-valid CS ${pct(Math.max(0, t.low))}–${pct(Math.min(1, t.high))}); p95 ${breached ? 'is above' : 'is not shown above'} ${max} ms`,
  };
}

function escalationCheck(c: GuardrailConfig, maxPoints: number, m: RolloutMetrics): GuardrailCheck {
  const ctl = m.control.escalation;
  const cand = m.candidate.escalation;
  const n = Math.min(ctl.n, cand.n);
  const observed = ctl.estimate !== null && cand.estimate !== null ? (cand.estimate - ctl.estimate) * 100 : null;
  const base = { guardrail: 'escalation_increase' as const, threshold: maxPoints, observed, n };
  if (n < c.minSamples) {
    return { ...base, status: 'insufficient_data', test: null, detail: `escalation: ${n} of ${c.minSamples} calls per arm needed before a decision` };
  }
  const t = twoProportionMsprt({ controlSuccesses: ctl.successes, controlN: ctl.n, candidateSuccesses: cand.successes, candidateN: cand.n }, maxPoints / 100, mixtureOf(c));
  const breached = t.reject && t.estimate > maxPoints / 100;
  const pts = (x: number) => `${(x * 100).toFixed(2)}`;
  return {
    ...base,
    status: breached ? 'breached' : 'ok',
    test: testOf('escalation rate difference (candidate − control)', t),
    detail: `escalation ${pct(cand.estimate!)} vs control ${pct(ctl.estimate!)}: ${pts(t.estimate)} points (always-valid CS ${pts(t.low)} to ${pts(t.high)}) ${breached ? 'is significantly more than' : 'is not shown above'} +${maxPoints} points`,
  };
}

/**
 * Evaluate a rollout's guardrails on its metrics. Pure: the decision at each check is the current look
 * of an always-valid test, so acting on the first breach keeps the false-rollback rate at or under α.
 */
export function evaluateGuardrails(rollout: { guardrails: unknown }, metrics: RolloutMetrics): GuardrailEvaluation {
  const c = guardrailConfigOf(rollout);
  const checks: GuardrailCheck[] = [];
  if (c.maxHallucinationRate !== undefined) checks.push(hallucinationCheck(c, c.maxHallucinationRate, metrics.candidate));
  if (c.maxP95LatencyMs !== undefined) checks.push(latencyCheck(c, c.maxP95LatencyMs, metrics.candidate));
  if (c.maxEscalationIncreasePoints !== undefined) checks.push(escalationCheck(c, c.maxEscalationIncreasePoints, metrics));
  const breaches = checks.filter((x) => x.status === 'breached');
  return { breached: breaches.length > 0, checks, breaches, reason: breaches.length > 0 ? `guardrail breached: ${breaches.map((b) => b.detail).join('; ')}` : null };
}

// ─── sequential verdicts on the metric table ─────────────────────────────────────────────────────

export const VERDICT_METRICS = [
  { metric: 'containment', higherIsBetter: true },
  { metric: 'escalation', higherIsBetter: false },
  { metric: 'abandonment', higherIsBetter: false },
  { metric: 'hallucination', higherIsBetter: false },
  { metric: 'intentAccuracy', higherIsBetter: true },
] as const;
export type VerdictMetric = (typeof VERDICT_METRICS)[number]['metric'];

export interface Verdict {
  metric: VerdictMetric;
  higherIsBetter: boolean;
  n: { control: number; candidate: number };
  /** Candidate − control, with this look's always-valid (1 − α) confidence sequence. */
  difference: number | null;
  low: number | null;
  high: number | null;
  /** The always-valid p-value for "no difference": the running minimum over every look so far. */
  pValue: number;
  looks: number;
  decision: 'insufficient_data' | 'no_difference_yet' | 'candidate_better' | 'candidate_worse';
  detail: string;
}

/**
 * The mSPRT of each proportion in the table (candidate vs control, θ0 = 0), folded into the running
 * state: the first rejection decides, and the p-value is the running minimum.
 */
export function sequentialVerdicts(
  rollout: { guardrails: unknown },
  metrics: RolloutMetrics,
  state: Record<string, SequentialState> = {},
  now = new Date(),
): { verdicts: Verdict[]; state: Record<string, SequentialState> } {
  const c = guardrailConfigOf(rollout);
  const next: Record<string, SequentialState> = { ...state };
  const verdicts = VERDICT_METRICS.map(({ metric, higherIsBetter }): Verdict => {
    const ctl = metrics.control[metric];
    const cand = metrics.candidate[metric];
    const enough = ctl.n >= c.minSamples && cand.n >= c.minSamples;
    const look =
      ctl.n > 0 && cand.n > 0
        ? twoProportionMsprt({ controlSuccesses: ctl.successes, controlN: ctl.n, candidateSuccesses: cand.successes, candidateN: cand.n }, 0, mixtureOf(c))
        : null;
    const s = foldLook(state[metric], look, enough, now);
    next[metric] = s;
    const n = { control: ctl.n, candidate: cand.n };
    const base = { metric, higherIsBetter, n, difference: look?.estimate ?? null, low: look?.low ?? null, high: look?.high ?? null, pValue: s.pValue, looks: s.looks };
    if (s.rejected) {
      const better = (s.rejected.direction === 'higher') === higherIsBetter;
      return {
        ...base,
        decision: better ? 'candidate_better' : 'candidate_worse',
        detail: `${metric}: candidate ${s.rejected.direction} than control (difference ${(s.rejected.estimate * 100).toFixed(2)} points when first significant, ${s.rejected.at}); always-valid p = ${s.pValue.toPrecision(3)}`,
      };
    }
    if (!enough) return { ...base, decision: 'insufficient_data', detail: `${metric}: ${Math.min(ctl.n, cand.n)} of ${c.minSamples} observations per arm needed before a decision` };
    return { ...base, decision: 'no_difference_yet', detail: `${metric}: no significant difference yet (always-valid p = ${s.pValue.toPrecision(3)} > α = ${c.alpha}); keep collecting` };
  });
  return { verdicts, state: next };
}
