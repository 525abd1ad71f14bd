import { ValidationError, analyticsTables, zodIssues, type AnalyticsRow, type AnalyticsTable, type FieldIssue } from '@cc/core';
import { toInsertRow } from './values.ts';

const MAX_REPORTED_ISSUES = 20;

export function assertAnalyticsTable(table: string): asserts table is AnalyticsTable {
  if (!Object.hasOwn(analyticsTables, table)) {
    throw new ValidationError('analytics table', [{ path: 'table', message: `${JSON.stringify(table)} is not one of ${Object.keys(analyticsTables).join(', ')}` }]);
  }
}

/**
 * Parse every row with its table's zod schema (coercing times, filling defaults). A bad row throws a
 * ValidationError whose issue paths are `<rowIndex>.<field>`; nothing is returned, so nothing is
 * written. `firstRowIndex` offsets the index when the rows are one batch of a larger job.
 */
export function parseRows<T extends AnalyticsTable>(table: T, rows: readonly unknown[], firstRowIndex = 0): AnalyticsRow<T>[] {
  assertAnalyticsTable(table);
  const schema = analyticsTables[table];
  const issues: FieldIssue[] = [];
  const badRows: number[] = [];
  const parsed: AnalyticsRow<T>[] = [];
  rows.forEach((row, i) => {
    const result = schema.safeParse(row);
    if (result.success) {
      parsed.push(result.data as AnalyticsRow<T>);
      return;
    }
    badRows.push(firstRowIndex + i);
    for (const issue of zodIssues(result.error)) {
      if (issues.length < MAX_REPORTED_ISSUES) issues.push({ path: issue.path ? `${firstRowIndex + i}.${issue.path}` : String(firstRowIndex + i), message: issue.message });
    }
  });
  if (badRows.length > 0) throw new ValidationError(`${table} rows`, issues, { table, badRows: badRows.slice(0, MAX_REPORTED_ISSUES), badRowCount: badRows.length });
  return parsed;
}

/** The JSONEachRow objects a driver sends: parsed here unless the caller already ran parseRows. */
export function rowsForInsert<T extends AnalyticsTable>(table: T, rows: readonly AnalyticsRow<T>[], alreadyParsed = false): Record<string, unknown>[] {
  assertAnalyticsTable(table);
  return (alreadyParsed ? rows : parseRows(table, rows)).map((row) => toInsertRow(row as Record<string, unknown>));
}
