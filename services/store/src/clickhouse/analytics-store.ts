import type { AnalyticsRow, AnalyticsTable } from '@cc/core';

/** Query parameters are bound by the engine: `{name:Type}` placeholders in the SQL, values here. */
export type QueryParams = Record<string, string | number | boolean | Date | null | readonly (string | number)[]>;

export interface InsertOptions {
  /**
   * Deterministic token for this block of rows (e.g. `${jobId}:${batchIndex}`): re-inserting the same
   * block after a crash is dropped by the engine's insert deduplication.
   */
  dedupToken?: string;
  /**
   * The rows are the output of parseRows for this table (ingestRows validates a whole job up front),
   * so the driver does not parse them again. Every other caller leaves it unset: rows are validated.
   */
  alreadyParsed?: boolean;
}

/** One interface, two drivers: embedded chDB and a ClickHouse server through @clickhouse/client. */
export interface AnalyticsStore {
  readonly kind: 'chdb' | 'clickhouse';
  readonly database: string;
  query<T = Record<string, unknown>>(sql: string, params?: QueryParams): Promise<T[]>;
  /** DDL or statements that return no rows. */
  command(sql: string, params?: QueryParams): Promise<void>;
  /** Validates every row with its zod schema first: a bad row throws ValidationError and nothing is written. */
  insert<T extends AnalyticsTable>(table: T, rows: AnalyticsRow<T>[], opts?: InsertOptions): Promise<void>;
  ping(): Promise<void>;
  close(): Promise<void>;
}
