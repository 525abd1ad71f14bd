import type { JobQueues, IngestCallAnalytics } from '@cc/queue';

/**
 * Where a finished call's analytics go: its turns, per-stage latencies and events, once, at call
 * end (also when the call was cut off mid-turn: every completed turn is in it).
 */
export interface AnalyticsSink {
  emitCall(payload: IngestCallAnalytics): Promise<void>;
}

/** The real sink: one `ingest-call-analytics` job per call, idempotent on tenant + call id. */
export class QueueAnalyticsSink implements AnalyticsSink {
  constructor(private readonly queues: Pick<JobQueues, 'enqueue'>) {}

  async emitCall(payload: IngestCallAnalytics): Promise<void> {
    await this.queues.enqueue('ingest-call-analytics', payload, { idempotencyKey: analyticsIdempotencyKey(payload.tenantId, payload.callId) });
  }
}

/** `call.<tenant>.<call>`, restricted to the characters BullMQ idempotency keys allow. */
export function analyticsIdempotencyKey(tenantId: string, callId: string): string {
  const safe = (s: string) => s.replace(/[^\w.:-]/g, '_');
  return `call.${safe(tenantId)}.${safe(callId)}`.slice(0, 200);
}

/** Keeps payloads in memory (tests, the call simulator). */
export class MemoryAnalyticsSink implements AnalyticsSink {
  readonly calls: IngestCallAnalytics[] = [];
  async emitCall(payload: IngestCallAnalytics): Promise<void> {
    this.calls.push(payload);
  }
}
