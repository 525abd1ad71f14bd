export * from './job-worker.ts';
export * from './processors/ingest-call-analytics.ts';
export * from './processors/evals/index.ts';
