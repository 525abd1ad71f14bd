export * from './job-worker.ts';
export * from './processors/ingest-call-analytics.ts';
