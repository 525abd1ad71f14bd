import { ValidationError, analyticsBatchesWritten, analyticsRowsWritten, type AnalyticsRow, type AnalyticsTable } from '@cc/core';
import type { AnalyticsStore } from './analytics-store.ts';
import { parseRows } from './validate-rows.ts';

export const DEFAULT_BATCH_ROWS = 10_000;

export interface IngestOptions {
  /** Stable id of the job producing the rows; a retry of the job must reuse it. */
  jobId: string;
  batchRows?: number;
  /** Called after each batch is written (progress reporting; tests inject a crash here). */
  onBatchWritten?: (batch: { index: number; rows: number }) => void | Promise<void>;
}

export interface IngestResult {
  table: AnalyticsTable;
  rows: number;
  batches: number;
}

/**
 * The insert_deduplication_token of one batch: the same job, table and row range always get the same
 * one. The range (not the batch number) is in the token so that a retry batching differently never has
 * a batch dropped for a token that covered other rows.
 */
export function batchDedupToken(jobId: string, table: AnalyticsTable, firstRow: number, endRow: number): string {
  return `${jobId}:${table}:${firstRow}-${endRow}`;
}

/**
 * Write `rows` in deterministic batches (`batchRows` consecutive rows each, in the given order), each
 * insert carrying its batch's dedup token. A job that crashed after batch k and is retried with the
 * same rows, order and batch size re-sends batches 0..k, which the engine drops, so each row is
 * written once. If the retry batches differently, the duplicates share their ORDER BY key and
 * collapse in ReplacingMergeTree (FINAL reads are exact either way).
 * All rows are validated before the first batch is written: a bad row inserts nothing.
 */
export async function ingestRows<T extends AnalyticsTable>(store: AnalyticsStore, table: T, rows: AnalyticsRow<T>[], options: IngestOptions): Promise<IngestResult> {
  const batchRows = options.batchRows ?? DEFAULT_BATCH_ROWS;
  if (!options.jobId) throw new ValidationError('ingest options', [{ path: 'jobId', message: 'must be a non-empty, stable job id' }]);
  if (!Number.isInteger(batchRows) || batchRows < 1) throw new ValidationError('ingest options', [{ path: 'batchRows', message: 'must be a positive integer' }]);
  const parsed = parseRows(table, rows);

  let batches = 0;
  for (let start = 0; start < parsed.length; start += batchRows) {
    const batch = parsed.slice(start, start + batchRows);
    await store.insert(table, batch, { dedupToken: batchDedupToken(options.jobId, table, start, start + batch.length), alreadyParsed: true });
    analyticsRowsWritten.inc({ table }, batch.length);
    analyticsBatchesWritten.inc({ table });
    await options.onBatchWritten?.({ index: batches, rows: batch.length });
    batches++;
  }
  return { table, rows: rows.length, batches };
}
