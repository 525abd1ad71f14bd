import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { DrizzleQueryError } from 'drizzle-orm/errors';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import type { PgliteDatabase } from 'drizzle-orm/pglite';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import type { PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import { MigrationError } from '@cc/core';
import { queryRows, withSingleConnection, type Database, type DatabaseHandle, type Schema } from './database.ts';
import { appliedMigrationsTable } from './migrations-table.ts';

const JOURNAL = join('meta', '_journal.json');
const MIGRATION_LOCK_ID = 72_010_417; // any constant; shared by every process migrating this database

/** migrations/postgres at the repo root, found by walking up from this file (works from src or a copy). */
export function defaultMigrationsFolder(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'migrations', 'postgres');
    if (existsSync(join(candidate, JOURNAL))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`migrations/postgres/${JOURNAL} not found above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}

interface JournalEntry {
  tag: string;
  when: number;
}

/**
 * Apply pending migrations with drizzle's migrator. It runs all pending migrations in ONE transaction,
 * so a failure leaves the schema exactly as before. Concurrent starts serialise on an advisory lock.
 * Returns the tags of the migrations applied (empty when up to date).
 */
export async function migrate(handle: DatabaseHandle, options: { migrationsFolder?: string } = {}): Promise<string[]> {
  const migrationsFolder = options.migrationsFolder ?? defaultMigrationsFolder();
  const journal = JSON.parse(readFileSync(join(migrationsFolder, JOURNAL), 'utf8')) as { entries: JournalEntry[] };
  const statements = readMigrationFiles({ migrationsFolder }).map((m) => m.sql.map((s) => s.trim()));

  return withSingleConnection(handle, async (db) => {
    const locked = handle.driver === 'postgres';
    if (locked) await db.execute(sql`select pg_advisory_lock(${MIGRATION_LOCK_ID})`);
    try {
      const lastApplied = await lastAppliedMillis(db);
      const pending = journal.entries.filter((e) => lastApplied === undefined || e.when > lastApplied).map((e) => e.tag);
      try {
        if (handle.driver === 'pglite') await migratePglite(db as PgliteDatabase<Schema>, { migrationsFolder });
        else await migratePostgres(db as PostgresJsDatabase<Schema>, { migrationsFolder });
      } catch (err) {
        throw new MigrationError(handle.driver, failedMigration(err, journal.entries, statements, pending), err instanceof DrizzleQueryError && err.cause ? err.cause : err);
      }
      return pending;
    } finally {
      // Closing the connection releases the lock too, so a failed unlock must not hide the real error.
      if (locked) await db.execute(sql`select pg_advisory_unlock(${MIGRATION_LOCK_ID})`).catch(() => {});
    }
  });
}

async function lastAppliedMillis(db: Database): Promise<number | undefined> {
  const [table] = await queryRows<{ name: string | null }>(db, sql`select to_regclass('drizzle.__drizzle_migrations')::text as name`);
  if (!table?.name) return undefined;
  const rows = await db
    .select({ createdAt: appliedMigrationsTable.createdAt })
    .from(appliedMigrationsTable)
    .orderBy(sql`${appliedMigrationsTable.createdAt} desc`)
    .limit(1);
  return rows[0]?.createdAt ?? undefined;
}

/** The migration whose statement failed: drizzle reports the failed SQL, which names its file. */
function failedMigration(err: unknown, entries: JournalEntry[], statements: string[][], pending: string[]): string {
  if (err instanceof DrizzleQueryError) {
    const failed = err.query.trim();
    const index = statements.findIndex((stmts) => stmts.includes(failed));
    const entry = index >= 0 ? entries[index] : undefined;
    if (entry) return entry.tag;
  }
  return pending.join(', ') || '(none pending)';
}
