import type { QueryParams } from './analytics-store.ts';

/**
 * Both drivers send times as 'YYYY-MM-DD HH:MM:SS.mmm' in UTC: the one text form that every
 * DateTime64 input path parses identically (chDB's own Date binding drops the milliseconds, the
 * HTTP client sends Unix seconds).
 */
export function toClickHouseDateTime(date: Date): string {
  return date.toISOString().slice(0, 23).replace('T', ' ');
}

export function toBindParams(params: QueryParams): Record<string, string | number | boolean | null | readonly (string | number)[]> {
  const out: Record<string, string | number | boolean | null | readonly (string | number)[]> = {};
  for (const [name, value] of Object.entries(params)) out[name] = value instanceof Date ? toClickHouseDateTime(value) : value;
  return out;
}

/** A validated row as a JSONEachRow object: Dates become DateTime64 text, everything else is kept. */
export function toInsertRow(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [column, value] of Object.entries(row)) out[column] = value instanceof Date ? toClickHouseDateTime(value) : value;
  return out;
}

/**
 * Settings both drivers apply to every query, so they return the same JS shapes: DateTime64 as ISO
 * 8601 UTC strings, Date as 'YYYY-MM-DD', 64-bit integers (count()) as JSON numbers.
 */
export const readSettings = {
  date_time_output_format: 'iso',
  output_format_json_quote_64bit_integers: 0,
} as const;

/**
 * Insert settings: synchronous inserts (insert_deduplication_token is ignored by async inserts
 * unless async_insert_deduplicate is on, and chDB enables async_insert by default).
 */
export function insertSettings(dedupToken: string | undefined): Record<string, string | number> {
  return dedupToken === undefined ? { async_insert: 0 } : { async_insert: 0, insert_deduplication_token: dedupToken };
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Database names go into DDL as identifiers, so they must be plain ones (config enforces the same rule). */
export function assertIdentifier(name: string, what: string): string {
  if (!IDENTIFIER.test(name)) throw new Error(`${what} must be a plain identifier ([A-Za-z_][A-Za-z0-9_]*), got ${JSON.stringify(name)}`);
  return name;
}
