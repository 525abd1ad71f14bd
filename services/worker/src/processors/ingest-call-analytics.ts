import type { Job } from 'bullmq';
import type { AnalyticsStore } from '@cc/store/clickhouse';
import { ingestRows } from '@cc/store/clickhouse';
import type { IngestCallAnalytics } from '@cc/queue';

/**
 * Writes a finished call's turns, stage latencies and events to ClickHouse. Batches carry
 * deterministic dedup tokens derived from the job id, so a retry after a crash mid-write re-sends
 * the same blocks and the engine drops the ones it already has.
 */
export function ingestCallAnalytics(store: AnalyticsStore, batchRows = 5_000) {
  return async (payload: IngestCallAnalytics, job: Job) => {
    const jobId = job.id ?? `${payload.tenantId}:${payload.callId}`;
    const turns = await ingestRows(store, 'turns', payload.turns, { jobId, batchRows });
    const stages = await ingestRows(store, 'stage_latency', payload.stageLatency, { jobId, batchRows });
    const events = await ingestRows(store, 'call_events', payload.events, { jobId, batchRows });
    return { turns, stages, events };
  };
}
