import type { Job } from 'bullmq';
import type { AnalyticsTable } from '@cc/core';
import type { AnalyticsStore } from '@cc/store/clickhouse';
import { ingestRows } from '@cc/store/clickhouse';
import type { IngestCallAnalytics } from '@cc/queue';

export interface IngestCallAnalyticsOptions {
  /** Rows per insert; a retry must use the same value for the dedup tokens to match. Default 5,000. */
  batchRows?: number;
  /** Called after each batch is written (progress reporting; tests inject a crash here). */
  onBatchWritten?: (batch: { job: Job; table: AnalyticsTable; index: number; rows: number }) => void | Promise<void>;
}

/**
 * Writes a finished call's turns, stage latencies and events to ClickHouse. Batches carry
 * deterministic dedup tokens derived from the job id, so a retry after a crash mid-write re-sends
 * the same blocks and the engine drops the ones it already has.
 */
export function ingestCallAnalytics(store: AnalyticsStore, options: IngestCallAnalyticsOptions | number = {}) {
  const { batchRows = 5_000, onBatchWritten } = typeof options === 'number' ? { batchRows: options } : options;
  return async (payload: IngestCallAnalytics, job: Job) => {
    const jobId = job.id ?? `${payload.tenantId}:${payload.callId}`;
    const hook = (table: AnalyticsTable) => (onBatchWritten ? (batch: { index: number; rows: number }) => onBatchWritten({ job, table, ...batch }) : undefined);
    const turns = await ingestRows(store, 'turns', payload.turns, { jobId, batchRows, onBatchWritten: hook('turns') });
    const stages = await ingestRows(store, 'stage_latency', payload.stageLatency, { jobId, batchRows, onBatchWritten: hook('stage_latency') });
    const events = await ingestRows(store, 'call_events', payload.events, { jobId, batchRows, onBatchWritten: hook('call_events') });
    return { turns, stages, events };
  };
}
