import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, inject } from 'vitest';
import { createDatabase as createServerDatabase } from '../../../../test/support/postgres-server.ts';
import { createDatabase, type Database, type DatabaseDriver, type DatabaseHandle } from './database.ts';
import { migrate } from './migrate.ts';
import { createTenant, type Tenant } from './repos/tenants.ts';

export const DRIVERS: DatabaseDriver[] = ['pglite', 'postgres'];
/** PGlite boots a WASM Postgres (a few seconds, more when suites run in parallel). */
export const SETUP_TIMEOUT_MS = 60_000;

/** A fresh, empty database: in-memory PGlite, or a new database on the test run's PostgreSQL server. */
export async function openEmptyDatabase(driver: DatabaseDriver, label: string): Promise<DatabaseHandle> {
  if (driver === 'pglite') return createDatabase({ DATA_DIR: 'unused' }, { inMemory: true });
  const name = `t_${label}_${randomBytes(4).toString('hex')}`.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  const url = await createServerDatabase(inject('databaseUrl'), name);
  return createDatabase({ DATABASE_URL: url, DATA_DIR: 'unused' });
}

export interface DriverContext {
  driver: DatabaseDriver;
  /** Valid inside tests (set in beforeAll). */
  handle(): DatabaseHandle;
  db(): Database;
  /** Two tenants, so every suite can check isolation. */
  tenantA(): Tenant;
  tenantB(): Tenant;
}

/** Run the same cases on PGlite and on the real server, each against a freshly migrated database. */
export function describeOnBothDrivers(title: string, cases: (ctx: DriverContext) => void): void {
  describe.each(DRIVERS)(`${title} [%s]`, (driver) => {
    let handle: DatabaseHandle | undefined;
    let tenants: [Tenant, Tenant] | undefined;
    beforeAll(async () => {
      handle = await openEmptyDatabase(driver, title);
      await migrate(handle);
      tenants = [
        await createTenant(handle.db, { slug: 'tenant-a', name: 'Tenant A' }),
        await createTenant(handle.db, { slug: 'tenant-b', name: 'Tenant B' }),
      ];
    }, SETUP_TIMEOUT_MS);
    afterAll(async () => {
      await handle?.close();
    });
    const need = <T>(value: T | undefined): T => {
      if (value === undefined) throw new Error('database not ready (beforeAll failed)');
      return value;
    };
    cases({
      driver,
      handle: () => need(handle),
      db: () => need(handle).db,
      tenantA: () => need(tenants)[0],
      tenantB: () => need(tenants)[1],
    });
  });
}
