import type { AnalyticsStore } from './analytics-store.ts';

/**
 * Reads and writes of offline evaluation runs (docs/evals.md). A run's rows: `eval_runs` (migration
 * 0002, one row per run, latest write wins), `scores` by run_id, and turns / stage_latency /
 * call_events whose call_id is '<run_id>/<dataset call id>'. Every read is FINAL (a row written twice
 * counts once) and binds its values as parameters.
 */

export type EvalRunStatus = 'running' | 'completed' | 'failed';

export interface EvalRun {
  runId: string;
  tenantId: string;
  dataset: string;
  agentVersion: string;
  startedAt: Date;
  calls: number;
  status: EvalRunStatus;
  /** Free-form JSON (options, counts, the report path). */
  details?: Record<string, unknown>;
}

export async function upsertEvalRun(store: AnalyticsStore, run: EvalRun, now = new Date()): Promise<void> {
  await store.command(
    `INSERT INTO eval_runs (run_id, tenant_id, dataset, agent_version, started_at, calls, status, details, updated_at)
     VALUES ({runId:String}, {tenantId:String}, {dataset:String}, {agentVersion:String}, {startedAt:DateTime64(3, 'UTC')},
             {calls:UInt32}, {status:String}, {details:String}, {updatedAt:DateTime64(3, 'UTC')})`,
    {
      runId: run.runId,
      tenantId: run.tenantId,
      dataset: run.dataset,
      agentVersion: run.agentVersion,
      startedAt: run.startedAt,
      calls: run.calls,
      status: run.status,
      details: JSON.stringify(run.details ?? {}),
      updatedAt: now,
    },
  );
}

export async function getEvalRun(store: AnalyticsStore, tenantId: string, runId: string): Promise<EvalRun | null> {
  const rows = await store.query<{ runId: string; tenantId: string; dataset: string; agentVersion: string; startedAtMs: number | string; calls: number | string; status: string; details: string }>(
    `SELECT run_id AS runId, tenant_id AS tenantId, dataset, agent_version AS agentVersion,
            toUnixTimestamp64Milli(started_at) AS startedAtMs, calls, status, details
     FROM eval_runs FINAL WHERE tenant_id = {tenantId:String} AND run_id = {runId:String}`,
    { tenantId, runId },
  );
  const r = rows[0];
  if (!r) return null;
  return {
    runId: r.runId,
    tenantId: r.tenantId,
    dataset: r.dataset,
    agentVersion: r.agentVersion,
    startedAt: new Date(Number(r.startedAtMs)),
    calls: Number(r.calls),
    status: r.status as EvalRunStatus,
    details: JSON.parse(r.details || '{}') as Record<string, unknown>,
  };
}

export interface EvalMetricSummary {
  metric: string;
  /** Rows (turns or calls) scored. */
  n: number;
  sum: number;
  mean: number;
  /** Distinct calls with at least one row. */
  calls: number;
}

/** Per metric: rows, sum and mean of `value`, and calls covered. */
export async function evalMetricSummary(store: AnalyticsStore, tenantId: string, runId: string): Promise<EvalMetricSummary[]> {
  const rows = await store.query<{ metric: string; n: number | string; sum: number | string; calls: number | string }>(
    `SELECT metric, count() AS n, sum(value) AS sum, uniqExact(call_id) AS calls
     FROM scores FINAL WHERE tenant_id = {tenantId:String} AND run_id = {runId:String}
     GROUP BY metric ORDER BY metric`,
    { tenantId, runId },
  );
  return rows.map((r) => ({ metric: r.metric, n: Number(r.n), sum: Number(r.sum), mean: Number(r.n) ? Number(r.sum) / Number(r.n) : 0, calls: Number(r.calls) }));
}

export interface EvalConfusionCell {
  label: string;
  predicted: string;
  count: number;
}

/** Intent confusion counts (label × predicted) from the run's `intent` scores, largest first. */
export async function evalIntentConfusion(store: AnalyticsStore, tenantId: string, runId: string, limit = 1_000): Promise<EvalConfusionCell[]> {
  const rows = await store.query<{ label: string; predicted: string; count: number | string }>(
    `SELECT JSONExtractString(details, 'label') AS label, JSONExtractString(details, 'predicted') AS predicted, count() AS count
     FROM scores FINAL WHERE tenant_id = {tenantId:String} AND run_id = {runId:String} AND metric = 'intent'
     GROUP BY label, predicted ORDER BY count DESC, label, predicted LIMIT {limit:UInt32}`,
    { tenantId, runId, limit },
  );
  return rows.map((r) => ({ label: r.label, predicted: r.predicted, count: Number(r.count) }));
}

export interface EvalStageLatency {
  stage: string;
  n: number;
  p50: number;
  p95: number;
}

/** p50 / p95 per stage over the run's replayed turns (exact quantiles). */
export async function evalStageLatency(store: AnalyticsStore, tenantId: string, runId: string): Promise<EvalStageLatency[]> {
  const rows = await store.query<{ stage: string; n: number | string; p50: number | string; p95: number | string }>(
    `SELECT stage, count() AS n, quantileExact(0.5)(duration_ms) AS p50, quantileExact(0.95)(duration_ms) AS p95
     FROM stage_latency FINAL WHERE tenant_id = {tenantId:String} AND startsWith(call_id, {prefix:String})
     GROUP BY stage ORDER BY stage`,
    { tenantId, prefix: `${runId}/` },
  );
  return rows.map((r) => ({ stage: r.stage, n: Number(r.n), p50: Number(r.p50), p95: Number(r.p95) }));
}

export interface EvalCallScore {
  /** The dataset call id (the run prefix removed). */
  callId: string;
  metric: string;
  n: number;
  sum: number;
  /** The details of the call-level row (turn_index -1), when there is one. */
  details: string;
}

/** Per call and metric: rows and sum of values (call-level rows carry their details). */
export async function evalCallScores(store: AnalyticsStore, tenantId: string, runId: string): Promise<EvalCallScore[]> {
  const rows = await store.query<{ callId: string; metric: string; n: number | string; sum: number | string; details: string }>(
    `SELECT call_id AS callId, metric, count() AS n, sum(value) AS sum, anyIf(details, turn_index = -1) AS details
     FROM scores FINAL WHERE tenant_id = {tenantId:String} AND run_id = {runId:String}
     GROUP BY call_id, metric ORDER BY call_id, metric`,
    { tenantId, runId },
  );
  const prefix = `${runId}/`;
  return rows.map((r) => ({ callId: r.callId.startsWith(prefix) ? r.callId.slice(prefix.length) : r.callId, metric: r.metric, n: Number(r.n), sum: Number(r.sum), details: r.details }));
}

export interface EvalRowCounts {
  turns: number;
  stageLatency: number;
  callEvents: number;
  scores: number;
  /** Distinct replayed calls (an `eval_call_end` event each). */
  callsReplayed: number;
}

/** Rows the run wrote, read with FINAL: what "every call counted exactly once" is checked against. */
export async function evalRowCounts(store: AnalyticsStore, tenantId: string, runId: string): Promise<EvalRowCounts> {
  const p = { tenantId, runId, prefix: `${runId}/` };
  const one = async (sql: string) => Number((await store.query<{ n: number | string }>(sql, p))[0]?.n ?? 0);
  return {
    turns: await one(`SELECT count() AS n FROM turns FINAL WHERE tenant_id = {tenantId:String} AND startsWith(call_id, {prefix:String})`),
    stageLatency: await one(`SELECT count() AS n FROM stage_latency FINAL WHERE tenant_id = {tenantId:String} AND startsWith(call_id, {prefix:String})`),
    callEvents: await one(`SELECT count() AS n FROM call_events FINAL WHERE tenant_id = {tenantId:String} AND startsWith(call_id, {prefix:String})`),
    scores: await one(`SELECT count() AS n FROM scores FINAL WHERE tenant_id = {tenantId:String} AND run_id = {runId:String}`),
    callsReplayed: await one(
      `SELECT uniqExact(call_id) AS n FROM call_events FINAL WHERE tenant_id = {tenantId:String} AND startsWith(call_id, {prefix:String}) AND event_type = 'eval_call_end'`,
    ),
  };
}

export interface EvalCallerPrediction {
  intent: string;
  confidence: number;
}

/** The predicted intent and confidence of every replayed caller turn of a run (drift windows). */
export async function evalCallerPredictions(store: AnalyticsStore, tenantId: string, runId: string): Promise<EvalCallerPrediction[]> {
  const rows = await store.query<{ intent: string; confidence: number | string }>(
    `SELECT intent, confidence FROM turns FINAL
     WHERE tenant_id = {tenantId:String} AND startsWith(call_id, {prefix:String}) AND speaker = 'caller'
     ORDER BY call_id, turn_index`,
    { tenantId, prefix: `${runId}/` },
  );
  return rows.map((r) => ({ intent: r.intent, confidence: Number(r.confidence) }));
}
