import type { AnalyticsTable } from '@cc/core';
import type { AnalyticsStore, QueryParams } from './analytics-store.ts';
import { assertAnalyticsTable } from './validate-rows.ts';

/**
 * Dashboard queries. Every one is scoped to one tenant and a half-open time range [from, to), reads
 * with FINAL so rows written twice count once, and binds every value as a `{name:Type}` parameter.
 * Days are UTC days.
 */
export interface TenantRange {
  tenantId: string;
  from: Date;
  to: Date;
}

const TENANT = `tenant_id = {tenantId:String}`;
const between = (column: string) => `${column} >= {from:DateTime64(3, 'UTC')} AND ${column} < {to:DateTime64(3, 'UTC')}`;

export interface ContainmentDay {
  day: string;
  ended: number;
  contained: number;
  escalated: number;
  abandoned: number;
  containmentRate: number;
}

/**
 * Containment per UTC day of the call's end. A call counts when it has a `call_ended` event whose
 * payload JSON has `outcome` contained, escalated or abandoned; other outcomes (e.g. failed) and
 * events without one are left out of both numerator and denominator.
 * containmentRate = contained / (contained + escalated + abandoned). Days without calls are absent.
 */
export async function containmentPerDay(store: AnalyticsStore, args: TenantRange & { agentVersion?: string }): Promise<ContainmentDay[]> {
  const params: QueryParams = { tenantId: args.tenantId, from: args.from, to: args.to };
  let versionFilter = '';
  if (args.agentVersion !== undefined) {
    versionFilter = 'AND agent_version = {agentVersion:String}';
    params.agentVersion = args.agentVersion;
  }
  return store.query<ContainmentDay>(
    `SELECT
       day,
       count() AS ended,
       countIf(outcome = 'contained') AS contained,
       countIf(outcome = 'escalated') AS escalated,
       countIf(outcome = 'abandoned') AS abandoned,
       contained / ended AS containmentRate
     FROM
     (
       SELECT toDate(at) AS day, JSONExtractString(payload, 'outcome') AS outcome
       FROM call_events FINAL
       WHERE ${TENANT} AND ${between('at')} AND event_type = 'call_ended' ${versionFilter}
     )
     WHERE outcome IN ('contained', 'escalated', 'abandoned')
     GROUP BY day
     ORDER BY day`,
    params,
  );
}

export interface IntentAccuracy {
  intent: string;
  scored: number;
  correct: number;
  accuracy: number;
}

/**
 * Intent accuracy from `intent_correct` scores (value 1 = the agent recognised the intent, 0 = it
 * did not), grouped by the intent the evaluator labelled the turn with: `details.intent` in the
 * score's JSON details ('' when the evaluator recorded none). Time is the score's scored_at.
 * `runId` narrows to one evaluation run (e.g. 'live'); by default every run counts.
 */
export async function intentAccuracyPerIntent(store: AnalyticsStore, args: TenantRange & { runId?: string }): Promise<IntentAccuracy[]> {
  const params: QueryParams = { tenantId: args.tenantId, from: args.from, to: args.to };
  let runFilter = '';
  if (args.runId !== undefined) {
    runFilter = 'AND run_id = {runId:String}';
    params.runId = args.runId;
  }
  return store.query<IntentAccuracy>(
    `SELECT
       JSONExtractString(details, 'intent') AS intent,
       count() AS scored,
       countIf(value = 1) AS correct,
       correct / scored AS accuracy
     FROM scores FINAL
     WHERE ${TENANT} AND ${between('scored_at')} AND metric = 'intent_correct' ${runFilter}
     GROUP BY intent
     ORDER BY intent`,
    params,
  );
}

export interface StageLatency {
  stage: string;
  samples: number;
  p50Ms: number;
  p95Ms: number;
}

/**
 * p50 and p95 of each pipeline stage's duration, for stages that started in the range. `quantiles`
 * interpolates linearly between samples and is exact up to 8192 samples per group, then samples.
 */
export async function stageLatencyP95(store: AnalyticsStore, args: TenantRange): Promise<StageLatency[]> {
  return store.query<StageLatency>(
    `SELECT stage, samples, q[1] AS p50Ms, q[2] AS p95Ms
     FROM
     (
       SELECT stage, count() AS samples, quantiles(0.5, 0.95)(duration_ms) AS q
       FROM stage_latency FINAL
       WHERE ${TENANT} AND ${between('started_at')}
       GROUP BY stage
     )
     ORDER BY stage`,
    { tenantId: args.tenantId, from: args.from, to: args.to },
  );
}

/** Rows of one tenant in one table, each logical row once. */
export async function countRows(store: AnalyticsStore, table: AnalyticsTable, tenantId: string): Promise<number> {
  assertAnalyticsTable(table);
  const [row] = await store.query<{ n: number }>(`SELECT count() AS n FROM ${table} FINAL WHERE tenant_id = {tenantId:String}`, { tenantId });
  return Number(row?.n ?? 0);
}
