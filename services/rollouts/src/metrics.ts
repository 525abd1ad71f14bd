import type { AnalyticsStore, QueryParams } from '@cc/store/clickhouse';
import { meanInterval, wilson, zFor, type Interval, type MeanEstimate, type ProportionEstimate } from './stats.ts';

/**
 * Per-version metrics of a rollout, from ClickHouse. Every query is scoped to one tenant, the two
 * versions of the rollout (the `agent_version` column holds the agent_versions id for calls a rollout
 * routed) and the half-open window [from, to) — the rollout's life so far; reads with FINAL so a row
 * written twice counts once; binds every value as a `{name:Type}` parameter.
 */
export interface VersionWindow {
  tenantId: string;
  controlVersion: string;
  candidateVersion: string;
  from: Date;
  to: Date;
}

const SCOPE = `tenant_id = {tenantId:String} AND agent_version IN ({controlVersion:String}, {candidateVersion:String})`;
const between = (column: string) => `${column} >= {from:DateTime64(3, 'UTC')} AND ${column} < {to:DateTime64(3, 'UTC')}`;
const scopeParams = (w: VersionWindow): QueryParams => ({ tenantId: w.tenantId, controlVersion: w.controlVersion, candidateVersion: w.candidateVersion, from: w.from, to: w.to });

export interface CallOutcomeRow {
  version: string;
  calls: number;
  contained: number;
  escalated: number;
  abandoned: number;
  /** Calls whose call_ended payload carries `cost_usd`, and that cost's sum and sum of squares. */
  costed: number;
  costSum: number;
  costSumSq: number;
}

/**
 * One row per version: calls that ended (a `call_ended` event; the last one per call if several) with
 * outcome contained, escalated or abandoned — the same denominator as the containment dashboard, other
 * outcomes are left out — and the cost of those calls when the event's payload has `cost_usd`.
 */
export async function callOutcomesByVersion(store: AnalyticsStore, w: VersionWindow): Promise<CallOutcomeRow[]> {
  return store.query<CallOutcomeRow>(
    `SELECT
       version,
       count() AS calls,
       countIf(outcome = 'contained') AS contained,
       countIf(outcome = 'escalated') AS escalated,
       countIf(outcome = 'abandoned') AS abandoned,
       countIf(has_cost) AS costed,
       sumIf(cost, has_cost) AS costSum,
       sumIf(cost * cost, has_cost) AS costSumSq
     FROM
     (
       SELECT
         agent_version AS version,
         call_id,
         argMax(JSONExtractString(payload, 'outcome'), seq) AS outcome,
         argMax(JSONHas(payload, 'cost_usd'), seq) = 1 AS has_cost,
         argMax(JSONExtractFloat(payload, 'cost_usd'), seq) AS cost
       FROM call_events FINAL
       WHERE ${SCOPE} AND ${between('at')} AND event_type = 'call_ended'
       GROUP BY version, call_id
     )
     WHERE outcome IN ('contained', 'escalated', 'abandoned')
     GROUP BY version
     ORDER BY version`,
    scopeParams(w),
  );
}

/** Score metrics the rollout reads: value ≥ 0.5 counts as 1 (the evaluators write 0 or 1). */
export const SCORE_METRICS = {
  /** 1 = the reply stated something the knowledge base and call context do not support. */
  hallucination: 'hallucination',
  /** 1 = the agent recognised the caller's intent (live evaluator or a reviewer's label). */
  intentAccuracy: 'intent_correct',
} as const;

export interface ScoreRateRow {
  version: string;
  metric: string;
  n: number;
  positive: number;
}

/** Per version and score metric: how many scores, and how many are 1. Time is the score's scored_at. */
export async function scoreRatesByVersion(store: AnalyticsStore, w: VersionWindow, metrics: readonly string[] = Object.values(SCORE_METRICS)): Promise<ScoreRateRow[]> {
  return store.query<ScoreRateRow>(
    `SELECT agent_version AS version, metric, count() AS n, countIf(value >= 0.5) AS positive
     FROM scores FINAL
     WHERE ${SCOPE} AND ${between('scored_at')} AND metric IN {metrics:Array(String)}
     GROUP BY version, metric
     ORDER BY version, metric`,
    { ...scopeParams(w), metrics },
  );
}

export interface TurnLatencyRow {
  version: string;
  /** Turns with at least one timed stage. */
  turns: number;
  /** Turns whose latency exceeds thresholdMs. */
  over: number;
  p: number | null;
  low: number | null;
  high: number | null;
}

/**
 * A turn's latency is the sum of its stages' durations (stage_latency, by call and turn). Per version:
 * the p-quantile as the order statistic X(⌈np⌉) with the distribution-free interval [X(l), X(u)] of
 * stats.quantileRanks (same ranks, computed here in SQL; null where a rank falls outside 1..n), and
 * the number of turns slower than thresholdMs (the p95 guardrail tests that share).
 */
export async function turnLatencyByVersion(store: AnalyticsStore, w: VersionWindow, opts: { quantile?: number; level?: number; thresholdMs?: number } = {}): Promise<TurnLatencyRow[]> {
  const p = opts.quantile ?? 0.95;
  return store.query<TurnLatencyRow>(
    `SELECT
       version,
       turns,
       over,
       s[toUInt64(greatest(1, ceil(turns * {p:Float64})))] AS p,
       if(lo >= 1, s[toUInt64(greatest(1, lo))], NULL) AS low,
       if(hi <= turns, s[toUInt64(least(hi, turns))], NULL) AS high
     FROM
     (
       SELECT
         version,
         count() AS turns,
         countIf(latency > {thresholdMs:Float64}) AS over,
         arraySort(groupArray(latency)) AS s,
         toInt64(floor(turns * {p:Float64} - {z:Float64} * sqrt(turns * {p:Float64} * (1 - {p:Float64})))) AS lo,
         toInt64(ceil(turns * {p:Float64} + {z:Float64} * sqrt(turns * {p:Float64} * (1 - {p:Float64})))) + 1 AS hi
       FROM
       (
         SELECT agent_version AS version, call_id, turn_index, sum(duration_ms) AS latency
         FROM stage_latency FINAL
         WHERE ${SCOPE} AND ${between('started_at')}
         GROUP BY version, call_id, turn_index
       )
       GROUP BY version
     )
     ORDER BY version`,
    { ...scopeParams(w), p, z: zFor(opts.level ?? 0.95), thresholdMs: opts.thresholdMs ?? 1e15 },
  );
}

export interface VersionMetrics {
  versionId: string;
  /** Calls that ended contained, escalated or abandoned. */
  calls: number;
  containment: ProportionEstimate;
  escalation: ProportionEstimate;
  abandonment: ProportionEstimate;
  hallucination: ProportionEstimate;
  intentAccuracy: ProportionEstimate;
  p95LatencyMs: Interval & { n: number };
  /** Turns slower than the p95 guardrail's threshold (when the rollout has one). */
  latencyOverThreshold: { thresholdMs: number; over: number; n: number } | null;
  costPerCall: MeanEstimate;
}

export interface RolloutMetrics {
  from: string;
  to: string;
  /** Confidence level of the intervals. */
  level: number;
  control: VersionMetrics;
  candidate: VersionMetrics;
}

export interface MetricsOptions {
  level?: number;
  /** The p95 guardrail's threshold: the metrics then count the turns above it. */
  latencyThresholdMs?: number;
}

/** Per-version metric table of a rollout: three small queries, assembled with intervals. */
export async function collectRolloutMetrics(store: AnalyticsStore, w: VersionWindow, opts: MetricsOptions = {}): Promise<RolloutMetrics> {
  const level = opts.level ?? 0.95;
  const [outcomes, scores, latency] = await Promise.all([
    callOutcomesByVersion(store, w),
    scoreRatesByVersion(store, w),
    turnLatencyByVersion(store, w, { level, ...(opts.latencyThresholdMs !== undefined ? { thresholdMs: opts.latencyThresholdMs } : {}) }),
  ]);
  const build = (versionId: string): VersionMetrics => {
    const o = outcomes.find((r) => r.version === versionId);
    const calls = Number(o?.calls ?? 0);
    const rate = (metric: string) => {
      const s = scores.find((r) => r.version === versionId && r.metric === metric);
      return wilson(Number(s?.positive ?? 0), Number(s?.n ?? 0), level);
    };
    const l = latency.find((r) => r.version === versionId);
    const turns = Number(l?.turns ?? 0);
    const num = (v: number | null | undefined) => (v === null || v === undefined ? null : Number(v));
    return {
      versionId,
      calls,
      containment: wilson(Number(o?.contained ?? 0), calls, level),
      escalation: wilson(Number(o?.escalated ?? 0), calls, level),
      abandonment: wilson(Number(o?.abandoned ?? 0), calls, level),
      hallucination: rate(SCORE_METRICS.hallucination),
      intentAccuracy: rate(SCORE_METRICS.intentAccuracy),
      p95LatencyMs: { n: turns, estimate: turns > 0 ? num(l?.p) : null, low: turns > 0 ? num(l?.low) : null, high: turns > 0 ? num(l?.high) : null },
      latencyOverThreshold: opts.latencyThresholdMs === undefined ? null : { thresholdMs: opts.latencyThresholdMs, over: Number(l?.over ?? 0), n: turns },
      costPerCall: meanInterval(Number(o?.costed ?? 0), Number(o?.costSum ?? 0), Number(o?.costSumSq ?? 0), level),
    };
  };
  return { from: w.from.toISOString(), to: w.to.toISOString(), level, control: build(w.controlVersion), candidate: build(w.candidateVersion) };
}
