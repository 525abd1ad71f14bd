import { ClickHouseError, ClickHouseLogLevel, createClient, type ClickHouseClient } from '@clickhouse/client';
import { StoreUnavailableError, errorMessage, type AnalyticsRow, type AnalyticsTable } from '@cc/core';
import type { AnalyticsStore, InsertOptions, QueryParams } from './analytics-store.ts';
import { AnalyticsQueryError } from './errors.ts';
import { rowsForInsert } from './validate-rows.ts';
import { assertIdentifier, insertSettings, readSettings, toBindParams } from './values.ts';

export interface HttpStoreOptions {
  /** http(s)://user:password@host:8123 */
  url: string;
  database: string;
  requestTimeoutMs?: number;
}

/** A ClickHouse server through @clickhouse/client. The database is created on first use if missing. */
export function createHttpStore(options: HttpStoreOptions): AnalyticsStore {
  return new HttpStore(options);
}

function maskedUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(invalid url)';
  }
}

class HttpStore implements AnalyticsStore {
  readonly kind = 'clickhouse' as const;
  readonly database: string;
  private readonly client: ClickHouseClient;
  private databaseReady: Promise<void> | undefined;

  constructor(private readonly options: HttpStoreOptions) {
    this.database = assertIdentifier(options.database, 'CLICKHOUSE_DATABASE');
    this.client = this.newClient(this.database);
  }

  async query<T = Record<string, unknown>>(sql: string, params?: QueryParams): Promise<T[]> {
    await this.ensureDatabase();
    return this.call(async () => {
      const result = await this.client.query({ query: sql, format: 'JSONEachRow', ...(params ? { query_params: toBindParams(params) } : {}) });
      return result.json<T>();
    });
  }

  async command(sql: string, params?: QueryParams): Promise<void> {
    await this.ensureDatabase();
    await this.call(() => this.client.command({ query: sql, ...(params ? { query_params: toBindParams(params) } : {}) }));
  }

  async insert<T extends AnalyticsTable>(table: T, rows: AnalyticsRow<T>[], opts: InsertOptions = {}): Promise<void> {
    const values = rowsForInsert(table, rows, opts.alreadyParsed);
    if (values.length === 0) return;
    await this.ensureDatabase();
    await this.call(() => this.client.insert({ table, values, format: 'JSONEachRow', clickhouse_settings: insertSettings(opts.dedupToken) }));
  }

  async ping(): Promise<void> {
    const result = await this.client.ping();
    if (!result.success) throw new StoreUnavailableError('clickhouse', `${maskedUrl(this.options.url)}: ${errorMessage(result.error)}`, result.error);
  }

  async close(): Promise<void> {
    await this.client.close();
  }

  private newClient(database: string | undefined): ClickHouseClient {
    return createClient({
      url: this.options.url,
      ...(database ? { database } : {}),
      request_timeout: this.options.requestTimeoutMs ?? 30_000,
      clickhouse_settings: readSettings,
      // Every failure is thrown to the caller as a typed error; the client's own error log would repeat it.
      log: { level: ClickHouseLogLevel.OFF },
    });
  }

  /** The client names the database on every request, so it has to exist before the first one. */
  private ensureDatabase(): Promise<void> {
    this.databaseReady ??= this.createDatabaseIfMissing().catch((err: unknown) => {
      this.databaseReady = undefined;
      throw err;
    });
    return this.databaseReady;
  }

  private async createDatabaseIfMissing(): Promise<void> {
    const admin = this.newClient(undefined);
    try {
      await this.call(async () => {
        const found = await admin.query({ query: 'SELECT count() AS n FROM system.databases WHERE name = {name:String}', format: 'JSONEachRow', query_params: { name: this.database } });
        const [row] = await found.json<{ n: number }>();
        // Checked first: a user without CREATE DATABASE may still use an existing database.
        if (!row || Number(row.n) === 0) await admin.command({ query: `CREATE DATABASE IF NOT EXISTS ${this.database}` });
      });
    } finally {
      await admin.close();
    }
  }

  private async call<R>(fn: () => Promise<R>): Promise<R> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof ClickHouseError) throw new AnalyticsQueryError(err.message, Number(err.code), err);
      throw new StoreUnavailableError('clickhouse', `${maskedUrl(this.options.url)}: ${errorMessage(err)}`, err);
    }
  }
}
