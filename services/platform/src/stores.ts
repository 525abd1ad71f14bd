import { join, resolve } from 'node:path';
import type { Redis } from 'ioredis';
import type { Config, Logger } from '@cc/core';
import { createAnalyticsStore, migrateAnalytics, type AnalyticsStore } from '@cc/store/clickhouse';
import { createDatabase, migrate, type DatabaseHandle } from '@cc/store/postgres';
import { JobQueues, createRedis, pingRedis } from '@cc/queue';
import { startLocalRedis, type LocalRedis } from './local-redis.ts';

export interface Stores {
  db: DatabaseHandle;
  analytics: AnalyticsStore;
  redis: Redis;
  /** A second connection for workers: BullMQ blocks on it. */
  workerRedis: Redis;
  queues: JobQueues;
  redisUrl: string;
  close(): Promise<void>;
}

/**
 * Open every store, embedded unless its *_URL is set, and apply migrations. PGlite and chDB belong to
 * this process alone; other processes reach them only through the API.
 */
export async function openStores(config: Config, logger: Logger): Promise<Stores> {
  const opened: { close(): Promise<void> }[] = [];
  const closeAll = async () => {
    for (const s of opened.reverse()) await s.close().catch((err) => logger.error({ err }, 'closing a store failed'));
  };
  try {
    let localRedis: LocalRedis | undefined;
    let redisUrl = config.REDIS_URL;
    if (!redisUrl) {
      localRedis = await startLocalRedis({ bin: config.REDIS_SERVER_BIN, dir: resolve(join(config.DATA_DIR, 'redis')) });
      opened.push({ close: localRedis.stop });
      redisUrl = localRedis.url;
    }
    const redis = createRedis(redisUrl);
    const workerRedis = createRedis(redisUrl, { forWorker: true });
    opened.push({ close: async () => void redis.disconnect() }, { close: async () => void workerRedis.disconnect() });
    await pingRedis(redis);

    const db = await createDatabase(config);
    opened.push(db);
    await migrate(db);

    const analytics = await createAnalyticsStore(config);
    opened.push(analytics);
    await migrateAnalytics(analytics);

    const queues = new JobQueues(redis);
    opened.push(queues);
    logger.info({ postgres: db.driver, clickhouse: analytics.kind, redis: localRedis ? 'local redis-server' : 'REDIS_URL' }, 'stores ready');
    return { db, analytics, redis, workerRedis, queues, redisUrl, close: closeAll };
  } catch (err) {
    await closeAll();
    throw err;
  }
}
