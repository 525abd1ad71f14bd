import type { TestProject } from 'vitest/node';
import { startLocalRedis } from '@cc/platform/local-redis';
import { startPostgresServer } from './postgres-server.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    redisUrl: string;
  }
}

/**
 * Real servers for the whole run: a PostgreSQL server (the store suite runs on it and on PGlite) and
 * a redis-server for BullMQ. TEST_DATABASE_URL / TEST_REDIS_URL reuse servers that already run.
 */
export default async function setup(project: TestProject) {
  const stops: (() => Promise<void>)[] = [];
  let databaseUrl = process.env.TEST_DATABASE_URL;
  if (!databaseUrl) {
    const pg = await startPostgresServer();
    stops.push(pg.stop);
    databaseUrl = pg.url;
  }
  let redisUrl = process.env.TEST_REDIS_URL;
  if (!redisUrl) {
    const redis = await startLocalRedis();
    stops.push(redis.stop);
    redisUrl = redis.url;
  }
  project.provide('databaseUrl', databaseUrl);
  project.provide('redisUrl', redisUrl);
  return async () => {
    for (const stop of stops.reverse()) await stop();
  };
}
