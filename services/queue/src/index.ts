export * from './contracts.ts';
export * from './connection.ts';
export * from './job-queues.ts';
