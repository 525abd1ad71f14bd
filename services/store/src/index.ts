export * from './clickhouse/index.ts';
export * from './postgres/index.ts';
