import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The process's Prometheus metrics, served at GET /metrics. Counters live here, in core, so that the
 * store, the workers and the API count into one registry without depending on each other.
 */
export const metricsRegistry = new Registry();
collectDefaultMetrics({ register: metricsRegistry, prefix: 'cc_process_' });

export const jobsTotal = new Counter({
  name: 'cc_jobs_total',
  help: 'Jobs processed by this process, by queue, job name and outcome (completed, retried, dead_lettered)',
  labelNames: ['queue', 'job', 'outcome'] as const,
  registers: [metricsRegistry],
});

export const jobDuration = new Histogram({
  name: 'cc_job_duration_seconds',
  help: 'Time spent processing one job attempt',
  labelNames: ['queue', 'job'] as const,
  buckets: [0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300],
  registers: [metricsRegistry],
});

export const analyticsRowsWritten = new Counter({
  name: 'cc_clickhouse_rows_written_total',
  help: 'Rows sent to ClickHouse through the ingest path (a re-sent batch dropped by deduplication counts again)',
  labelNames: ['table'] as const,
  registers: [metricsRegistry],
});

export const analyticsBatchesWritten = new Counter({
  name: 'cc_clickhouse_batches_written_total',
  help: 'Insert batches sent to ClickHouse through the ingest path',
  labelNames: ['table'] as const,
  registers: [metricsRegistry],
});

export const httpRequests = new Counter({
  name: 'cc_http_requests_total',
  help: 'API requests by method, matched route and status',
  labelNames: ['method', 'route', 'status'] as const,
  registers: [metricsRegistry],
});

export const queueDepth = new Gauge({
  name: 'cc_queue_jobs',
  help: 'Jobs in each queue by state, read from Redis at scrape time',
  labelNames: ['queue', 'state'] as const,
  registers: [metricsRegistry],
});
