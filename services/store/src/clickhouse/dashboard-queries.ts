import type { AnalyticsStore, QueryParams } from './analytics-store.ts';
import type { TenantRange } from './queries.ts';

/**
 * Extra overview-dashboard queries (beside queries.ts): call volume, a per-agent-version breakdown,
 * cost per call, and version-filtered intent accuracy and stage latency. Same rules as queries.ts:
 * one tenant, half-open range [from, to), FINAL, every value bound as a parameter, UTC days.
 */
export type DashboardRange = TenantRange & { agentVersion?: string };

const TENANT = `tenant_id = {tenantId:String}`;
const between = (column: string) => `${column} >= {from:DateTime64(3, 'UTC')} AND ${column} < {to:DateTime64(3, 'UTC')}`;

function bind(args: DashboardRange): { params: QueryParams; version: string } {
  const params: QueryParams = { tenantId: args.tenantId, from: args.from, to: args.to };
  if (args.agentVersion === undefined) return { params, version: '' };
  params.agentVersion = args.agentVersion;
  return { params, version: 'AND agent_version = {agentVersion:String}' };
}

export interface VolumeDay {
  day: string;
  /** Calls that ended that UTC day, whatever their outcome. */
  calls: number;
}

/** Ended calls (distinct call ids with a `call_ended` event) per UTC day; days without calls are absent. */
export async function callVolumePerDay(store: AnalyticsStore, args: DashboardRange): Promise<VolumeDay[]> {
  const { params, version } = bind(args);
  return store.query<VolumeDay>(
    `SELECT toDate(at) AS day, uniqExact(call_id) AS calls
     FROM call_events FINAL
     WHERE ${TENANT} AND ${between('at')} AND event_type = 'call_ended' ${version}
     GROUP BY day
     ORDER BY day`,
    params,
  );
}

export interface VersionOutcomes {
  agentVersion: string;
  ended: number;
  contained: number;
  escalated: number;
  abandoned: number;
}

/** Outcome counts of ended calls per agent version (only contained/escalated/abandoned count). */
export async function outcomesPerVersion(store: AnalyticsStore, args: TenantRange): Promise<VersionOutcomes[]> {
  return store.query<VersionOutcomes>(
    `SELECT agent_version AS agentVersion,
       count() AS ended,
       countIf(outcome = 'contained') AS contained,
       countIf(outcome = 'escalated') AS escalated,
       countIf(outcome = 'abandoned') AS abandoned
     FROM
     (
       SELECT agent_version, JSONExtractString(payload, 'outcome') AS outcome
       FROM call_events FINAL
       WHERE ${TENANT} AND ${between('at')} AND event_type = 'call_ended'
     )
     WHERE outcome IN ('contained', 'escalated', 'abandoned')
     GROUP BY agentVersion
     ORDER BY agentVersion`,
    { tenantId: args.tenantId, from: args.from, to: args.to },
  );
}

export interface CostSummary {
  /** Ended calls whose `call_ended` payload carries a numeric `costUsd`. */
  costedCalls: number;
  /** Mean of those costs; null when no call carries one. */
  costPerCallUsd: number | null;
}

/** Mean `costUsd` of the `call_ended` payloads that have one. */
export async function costPerCall(store: AnalyticsStore, args: DashboardRange): Promise<CostSummary> {
  const { params, version } = bind(args);
  const [row] = await store.query<{ costedCalls: number; total: number }>(
    `SELECT count() AS costedCalls, sum(JSONExtractFloat(payload, 'costUsd')) AS total
     FROM call_events FINAL
     WHERE ${TENANT} AND ${between('at')} AND event_type = 'call_ended' AND JSONHas(payload, 'costUsd') ${version}`,
    params,
  );
  const n = Number(row?.costedCalls ?? 0);
  return { costedCalls: n, costPerCallUsd: n > 0 ? Number(row!.total) / n : null };
}

export interface VersionIntentAccuracy {
  intent: string;
  scored: number;
  correct: number;
  accuracy: number;
}

/** intentAccuracyPerIntent (queries.ts) narrowed to one agent version. */
export async function intentAccuracyForVersion(store: AnalyticsStore, args: TenantRange & { agentVersion: string }): Promise<VersionIntentAccuracy[]> {
  const { params, version } = bind(args);
  return store.query<VersionIntentAccuracy>(
    `SELECT
       JSONExtractString(details, 'intent') AS intent,
       count() AS scored,
       countIf(value = 1) AS correct,
       correct / scored AS accuracy
     FROM scores FINAL
     WHERE ${TENANT} AND ${between('scored_at')} AND metric = 'intent_correct' ${version}
     GROUP BY intent
     ORDER BY intent`,
    params,
  );
}

export interface VersionStageLatency {
  stage: string;
  samples: number;
  p50Ms: number;
  p95Ms: number;
}

/** stageLatencyP95 (queries.ts) narrowed to one agent version. */
export async function stageLatencyForVersion(store: AnalyticsStore, args: TenantRange & { agentVersion: string }): Promise<VersionStageLatency[]> {
  const { params, version } = bind(args);
  return store.query<VersionStageLatency>(
    `SELECT stage, samples, q[1] AS p50Ms, q[2] AS p95Ms
     FROM
     (
       SELECT stage, count() AS samples, quantiles(0.5, 0.95)(duration_ms) AS q
       FROM stage_latency FINAL
       WHERE ${TENANT} AND ${between('started_at')} ${version}
       GROUP BY stage
     )
     ORDER BY stage`,
    params,
  );
}

export interface EndedCall {
  callId: string;
  agentVersion: string;
  outcome: string;
  endedAt: string;
}

/** The ended calls behind the dashboard's numbers, newest first (drill-down), at most `limit`. */
export async function endedCalls(store: AnalyticsStore, args: DashboardRange & { outcome?: string; limit: number }): Promise<EndedCall[]> {
  const { params, version } = bind(args);
  params.limit = args.limit;
  let outcomeFilter = '';
  if (args.outcome !== undefined) {
    outcomeFilter = `AND JSONExtractString(payload, 'outcome') = {outcome:String}`;
    params.outcome = args.outcome;
  }
  return store.query<EndedCall>(
    `SELECT call_id AS callId, any(agent_version) AS agentVersion, any(JSONExtractString(payload, 'outcome')) AS outcome,
       formatDateTime(max(at), '%Y-%m-%dT%H:%i:%SZ', 'UTC') AS endedAt
     FROM call_events FINAL
     WHERE ${TENANT} AND ${between('at')} AND event_type = 'call_ended' ${version} ${outcomeFilter}
     GROUP BY call_id
     ORDER BY max(at) DESC, call_id
     LIMIT {limit:UInt32}`,
    params,
  );
}
