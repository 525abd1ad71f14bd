import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { MigrationError } from '@cc/core';
import { inject } from 'vitest';
import { createDatabase as createServerDatabase } from '../../../../test/support/postgres-server.ts';
import { createDatabase, queryRows, type Database, type DatabaseHandle } from './database.ts';
import { migrate } from './migrate.ts';
import { DRIVERS, SETUP_TIMEOUT_MS, openEmptyDatabase } from './test-support.ts';

const tempDirs: string[] = [];
afterAll(() => tempDirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A migrations folder in drizzle-kit's layout: <tag>.sql files plus meta/_journal.json. */
function migrationsFolder(migrations: { tag: string; sql: string }[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'cc-migrations-'));
  tempDirs.push(dir);
  mkdirSync(join(dir, 'meta'));
  const entries = migrations.map((m, idx) => ({ idx, version: '7', when: 1_700_000_000_000 + idx, tag: m.tag, breakpoints: true }));
  writeFileSync(join(dir, 'meta', '_journal.json'), JSON.stringify({ version: '7', dialect: 'postgresql', entries }));
  for (const m of migrations) writeFileSync(join(dir, `${m.tag}.sql`), m.sql);
  return dir;
}

const good = { tag: '0000_good', sql: 'CREATE TABLE good_one (id int primary key);' };
const broken = {
  tag: '0001_broken',
  sql: ['CREATE TABLE broken_one (id int primary key);', 'INSERT INTO table_that_does_not_exist VALUES (1);'].join('\n--> statement-breakpoint\n'),
};

async function tableExists(db: Database, name: string): Promise<boolean> {
  const [row] = await queryRows<{ name: string | null }>(db, sql`select to_regclass(${`public.${name}`})::text as name`);
  return Boolean(row?.name);
}

async function appliedCount(db: Database): Promise<number> {
  const [row] = await queryRows<{ n: number }>(db, sql`select count(*)::int as n from drizzle.__drizzle_migrations`);
  return row?.n ?? 0;
}

async function expectMigrationError(run: Promise<unknown>, migration: string): Promise<void> {
  const err = await run.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(MigrationError);
  expect((err as MigrationError).context.migration).toBe(migration);
  expect((err as MigrationError).message).toContain(migration);
  expect((err as MigrationError).message).toContain('table_that_does_not_exist');
}

describe.each(DRIVERS)('migrate [%s]', (driver) => {
  const open: DatabaseHandle[] = [];
  afterAll(async () => {
    for (const h of open) await h.close();
  });
  const fresh = async () => {
    const handle = await openEmptyDatabase(driver, 'migrate');
    open.push(handle);
    return handle;
  };

  it('applies the project migrations, then re-applies them as a no-op', async () => {
    const handle = await fresh();
    expect(await migrate(handle)).toEqual(['0000_initial_schema', '0001_append_only_triggers']);
    expect(await tableExists(handle.db, 'audit_log')).toBe(true);
    expect(await migrate(handle)).toEqual([]);
    expect(await appliedCount(handle.db)).toBe(2);
  }, SETUP_TIMEOUT_MS);

  it('rolls a failing migration back completely and names it', async () => {
    const handle = await fresh();
    expect(await migrate(handle, { migrationsFolder: migrationsFolder([good]) })).toEqual(['0000_good']);

    await expectMigrationError(migrate(handle, { migrationsFolder: migrationsFolder([good, broken]) }), '0001_broken');
    expect(await tableExists(handle.db, 'broken_one')).toBe(false);
    expect(await tableExists(handle.db, 'good_one')).toBe(true);
    expect(await appliedCount(handle.db)).toBe(1);
  }, SETUP_TIMEOUT_MS);

  it('applies pending migrations as one unit: a failure leaves none of them behind', async () => {
    const handle = await fresh();
    await expectMigrationError(migrate(handle, { migrationsFolder: migrationsFolder([good, broken]) }), '0001_broken');
    expect(await tableExists(handle.db, 'good_one')).toBe(false);
    expect(await tableExists(handle.db, 'broken_one')).toBe(false);
    expect(await appliedCount(handle.db)).toBe(0);
  }, SETUP_TIMEOUT_MS);
});

describe('migrate [postgres, concurrent starts]', () => {
  it('serialises processes that migrate the same database at once', async () => {
    const url = await createServerDatabase(inject('databaseUrl'), `t_concurrent_migrate_${process.pid}`);
    const handles = await Promise.all([1, 2, 3].map(() => createDatabase({ DATABASE_URL: url, DATA_DIR: 'unused' })));
    try {
      const applied = await Promise.all(handles.map((h) => migrate(h)));
      expect(applied.map((tags) => tags.length).sort()).toEqual([0, 0, 2]);
      expect(await appliedCount(handles[0]!.db)).toBe(2);
    } finally {
      for (const h of handles) await h.close();
    }
  }, SETUP_TIMEOUT_MS);
});
