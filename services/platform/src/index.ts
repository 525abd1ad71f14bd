export * from './platform.ts';
export * from './processes.ts';
export * from './local-redis.ts';
