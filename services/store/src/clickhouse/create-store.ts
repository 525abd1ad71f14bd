import { join, resolve } from 'node:path';
import type { AnalyticsStore } from './analytics-store.ts';
import { openChdbStore } from './chdb-store.ts';
import { createHttpStore } from './http-store.ts';

export interface AnalyticsStoreConfig {
  CLICKHOUSE_URL?: string | undefined;
  CLICKHOUSE_DATABASE: string;
  DATA_DIR: string;
}

/** A ClickHouse server when CLICKHOUSE_URL is set, otherwise embedded chDB under DATA_DIR/chdb. */
export async function createAnalyticsStore(config: AnalyticsStoreConfig): Promise<AnalyticsStore> {
  if (config.CLICKHOUSE_URL) return createHttpStore({ url: config.CLICKHOUSE_URL, database: config.CLICKHOUSE_DATABASE });
  return openChdbStore({ path: join(resolve(config.DATA_DIR), 'chdb'), database: config.CLICKHOUSE_DATABASE });
}
