import { mkdirSync } from 'node:fs';
import { StoreUnavailableError, errorMessage, type AnalyticsRow, type AnalyticsTable } from '@cc/core';
import type { Session } from 'chdb';
import type { AnalyticsStore, InsertOptions, QueryParams } from './analytics-store.ts';
import { AnalyticsQueryError } from './errors.ts';
import { rowsForInsert } from './validate-rows.ts';
import { assertIdentifier, insertSettings, readSettings, toBindParams } from './values.ts';

export interface ChdbStoreOptions {
  /** Data directory of the embedded engine (DATA_DIR/chdb). libchdb binds one directory per process. */
  path: string;
  database: string;
}

/** chDB errors that mean the statement was wrong, not that the engine is gone. */
const QUERY_ERROR_CODES = new Set(['CHDB_QUERY', 'CHDB_SYNTAX', 'CHDB_BIND', 'CHDB_INSERT']);

/** Open the embedded engine, create the database if needed and make it the session's current one. */
export async function openChdbStore(options: ChdbStoreOptions): Promise<AnalyticsStore> {
  const database = assertIdentifier(options.database, 'CLICKHOUSE_DATABASE');
  let session: Session;
  try {
    mkdirSync(options.path, { recursive: true });
    const { Session: ChdbSession } = await import('chdb');
    const connectionArgs = Object.entries(readSettings).map(([name, value]) => `--${name}=${value}`);
    session = new ChdbSession(options.path, { connectionArgs });
  } catch (err) {
    throw new StoreUnavailableError('clickhouse', `cannot open chDB at ${options.path} (one data directory per process): ${errorMessage(err)}`, err);
  }
  const store = new ChdbStore(session, database, options.path);
  try {
    await store.command(`CREATE DATABASE IF NOT EXISTS ${database}`);
    // USE is per session: every later statement of this store runs in its database.
    await store.command(`USE ${database}`);
  } catch (err) {
    session.close();
    throw err;
  }
  return store;
}

class ChdbStore implements AnalyticsStore {
  readonly kind = 'chdb' as const;

  constructor(
    private readonly session: Session,
    readonly database: string,
    private readonly path: string,
  ) {}

  async query<T = Record<string, unknown>>(sql: string, params?: QueryParams): Promise<T[]> {
    const text = await this.run(sql, params, 'JSONEachRow');
    return text
      .split('\n')
      .filter((line) => line.length > 0)
      .map((line) => JSON.parse(line) as T);
  }

  async command(sql: string, params?: QueryParams): Promise<void> {
    await this.run(sql, params, 'TabSeparated');
  }

  async insert<T extends AnalyticsTable>(table: T, rows: AnalyticsRow<T>[], opts: InsertOptions = {}): Promise<void> {
    const values = rowsForInsert(table, rows, opts.alreadyParsed);
    if (values.length === 0) return;
    const payload = values.map((row) => JSON.stringify(row)).join('\n');
    try {
      await this.session.insert({ table, values: Buffer.from(payload), format: 'JSONEachRow', settings: insertSettings(opts.dedupToken) });
    } catch (err) {
      throw this.mapError(err);
    }
  }

  async ping(): Promise<void> {
    await this.run('SELECT 1', undefined, 'TabSeparated');
  }

  async close(): Promise<void> {
    this.session.close();
  }

  private async run(sql: string, params: QueryParams | undefined, format: string): Promise<string> {
    try {
      const result = params ? await this.session.queryBindAsync(sql, toBindParams(params), { format }) : await this.session.queryAsync(sql, { format });
      return result.text();
    } catch (err) {
      throw this.mapError(err);
    }
  }

  private mapError(err: unknown): Error {
    const { code, clickhouseCode } = (err ?? {}) as { code?: unknown; clickhouseCode?: unknown };
    if (typeof code === 'string' && QUERY_ERROR_CODES.has(code)) {
      return new AnalyticsQueryError(errorMessage(err), typeof clickhouseCode === 'number' ? clickhouseCode : undefined, err);
    }
    return new StoreUnavailableError('clickhouse', `chDB at ${this.path}: ${errorMessage(err)}`, err);
  }
}
