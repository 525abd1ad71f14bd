export type { AnalyticsStore, InsertOptions, QueryParams } from './analytics-store.ts';
export { openChdbStore, type ChdbStoreOptions } from './chdb-store.ts';
export { createHttpStore, type HttpStoreOptions } from './http-store.ts';
export { createAnalyticsStore, type AnalyticsStoreConfig } from './create-store.ts';
export { AnalyticsQueryError } from './errors.ts';
export { migrateAnalytics, readMigrationFiles, defaultClickHouseMigrationsDir, ClickHouseMigrationError, type MigrationFile, type MigrationResult } from './migrations.ts';
export { ingestRows, batchDedupToken, DEFAULT_BATCH_ROWS, type IngestOptions, type IngestResult } from './ingest.ts';
export {
  containmentPerDay,
  intentAccuracyPerIntent,
  stageLatencyP95,
  countRows,
  type TenantRange,
  type ContainmentDay,
  type IntentAccuracy,
  type StageLatency,
} from './queries.ts';
export { parseRows, rowsForInsert, assertAnalyticsTable } from './validate-rows.ts';
export { splitSqlStatements } from './sql-statements.ts';
export { callerTurnsInRange, scoresWithDetailsInRange, type CallerTurnRow, type KbAuditRange, type ScoreDetailsRow } from './kb-audit-queries.ts';
export { callVolumePerDay, outcomesPerVersion, costPerCall, endedCalls, type EndedCall, intentAccuracyForVersion, stageLatencyForVersion, type DashboardRange, type VolumeDay, type VersionOutcomes, type CostSummary } from './dashboard-queries.ts';
export * from './eval-queries.ts';
