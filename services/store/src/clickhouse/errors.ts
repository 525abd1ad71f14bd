import { AppError } from '@cc/core';

/** ClickHouse answered, but with an error for this statement (syntax, unknown table, bad parameter...). */
export class AnalyticsQueryError extends AppError {
  readonly clickhouseCode: number | undefined;
  constructor(message: string, clickhouseCode: number | undefined, cause?: unknown) {
    super('analytics_query_failed', `ClickHouse query failed: ${message}`, { context: { clickhouseCode }, cause });
    this.clickhouseCode = clickhouseCode;
  }
}
