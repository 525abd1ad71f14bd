import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MigrationError, errorMessage } from '@cc/core';
import type { AnalyticsStore } from './analytics-store.ts';
import { splitSqlStatements, statementPreview } from './sql-statements.ts';

const FILE_NAME = /^\d{4}_[A-Za-z0-9_-]+\.sql$/;

const CREATE_MIGRATIONS_TABLE = `
CREATE TABLE IF NOT EXISTS schema_migrations
(
    name       String,
    checksum   String,
    applied_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(applied_at)
ORDER BY name`;

/**
 * A ClickHouse migration that failed or was refused. ClickHouse DDL is not transactional, so unlike
 * the base message nothing was rolled back: statements before the failing one stay applied, and
 * re-running is safe because every statement is idempotent.
 */
export class ClickHouseMigrationError extends MigrationError {
  constructor(migration: string, detail: string, cause: unknown, context: Record<string, unknown> = {}) {
    super('clickhouse', migration, cause);
    this.message = `ClickHouse migration ${migration} ${detail}`;
    Object.assign(this.context, context);
  }
}

export interface MigrationFile {
  name: string;
  checksum: string;
  statements: string[];
}

export interface MigrationResult {
  applied: string[];
  alreadyApplied: string[];
}

/** migrations/clickhouse at the repo root, found by walking up from this file. */
export function defaultClickHouseMigrationsDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'migrations', 'clickhouse');
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`migrations/clickhouse not found above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}

export function readMigrationFiles(dir: string): MigrationFile[] {
  const names = readdirSync(dir).filter((name) => name.endsWith('.sql')).sort();
  const seen = new Set<string>();
  return names.map((name) => {
    if (!FILE_NAME.test(name)) throw new ClickHouseMigrationError(name, 'has a bad file name: use NNNN_description.sql', new Error('bad migration file name'));
    const number = name.slice(0, 4);
    if (seen.has(number)) throw new ClickHouseMigrationError(name, `reuses number ${number}: give each migration its own number`, new Error('duplicate migration number'));
    seen.add(number);
    const text = readFileSync(join(dir, name), 'utf8');
    return { name, checksum: createHash('sha256').update(text).digest('hex'), statements: splitSqlStatements(text) };
  });
}

/**
 * Apply pending migrations in file order, each statement in order, recording a migration in
 * schema_migrations only after all of its statements succeeded. Refuses to run anything when an
 * applied migration's file has changed since. Not safe to run from two processes at once.
 */
export async function migrateAnalytics(store: AnalyticsStore, options: { dir?: string } = {}): Promise<MigrationResult> {
  const files = readMigrationFiles(options.dir ?? defaultClickHouseMigrationsDir());
  await store.command(CREATE_MIGRATIONS_TABLE);
  const rows = await store.query<{ name: string; checksum: string }>('SELECT name, checksum FROM schema_migrations FINAL');
  const recorded = new Map(rows.map((row) => [row.name, row.checksum]));

  for (const file of files) {
    const checksum = recorded.get(file.name);
    if (checksum !== undefined && checksum !== file.checksum) {
      throw new ClickHouseMigrationError(
        file.name,
        `was changed after it was applied (checksum ${checksum.slice(0, 12)} is now ${file.checksum.slice(0, 12)}): restore the file and put the change in a new numbered migration`,
        new Error('checksum mismatch'),
        { recordedChecksum: checksum, fileChecksum: file.checksum },
      );
    }
  }

  const result: MigrationResult = { applied: [], alreadyApplied: [] };
  for (const file of files) {
    if (recorded.has(file.name)) {
      result.alreadyApplied.push(file.name);
      continue;
    }
    for (const [index, statement] of file.statements.entries()) {
      try {
        await store.command(statement);
      } catch (err) {
        throw new ClickHouseMigrationError(
          file.name,
          `failed at statement ${index + 1} of ${file.statements.length} (${statementPreview(statement)}): ${errorMessage(err)}. Statements before it stay applied (no transactional DDL); fix the cause and re-run`,
          err,
          { statement: index + 1 },
        );
      }
    }
    await store.command('INSERT INTO schema_migrations (name, checksum) VALUES ({name:String}, {checksum:String})', { name: file.name, checksum: file.checksum });
    result.applied.push(file.name);
  }
  return result;
}
