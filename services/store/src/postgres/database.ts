import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { sql, type SQL } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import postgres from 'postgres';
import { StoreUnavailableError, errorMessage } from '@cc/core';
import * as schema from './schema/index.ts';

export type Schema = typeof schema;
/** The one database type every repository function takes: either driver, or a transaction of it. */
export type Database = PgDatabase<PgQueryResultHKT, Schema>;
export type DatabaseDriver = 'pglite' | 'postgres';

export interface DatabaseHandle {
  readonly db: Database;
  readonly driver: DatabaseDriver;
  /** Resolves when the database answers a query; throws StoreUnavailableError otherwise. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Run `fn` with a database bound to one connection for its whole duration, so session-level state
 * (an advisory lock) holds. PGlite has a single connection anyway.
 */
const singleConnection = new WeakMap<DatabaseHandle, <T>(fn: (db: Database) => Promise<T>) => Promise<T>>();

export function withSingleConnection<T>(handle: DatabaseHandle, fn: (db: Database) => Promise<T>): Promise<T> {
  const run = singleConnection.get(handle);
  return run ? run(fn) : fn(handle.db);
}

export interface DatabaseConfig {
  DATABASE_URL?: string | undefined;
  DATA_DIR: string;
}

export interface DatabaseOptions {
  /** PGlite only: keep everything in memory (tests). */
  inMemory?: boolean;
  /** Postgres only: give up connecting after this many seconds (default 5). */
  connectTimeoutSeconds?: number;
  /** Postgres only: connection pool size (default 10). */
  maxConnections?: number;
}

/** Rows of a raw query, whichever driver ran it (PGlite returns `{ rows }`, postgres.js an array). */
export async function queryRows<T extends Record<string, unknown>>(db: Database, query: SQL): Promise<T[]> {
  const result: unknown = await db.execute(query);
  return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];
}

/** The URL with its password masked, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable DATABASE_URL)';
  }
}

/** PGlite (embedded, under DATA_DIR/pglite) when DATABASE_URL is unset; a PostgreSQL server through postgres.js when set. */
export async function createDatabase(config: DatabaseConfig, options: DatabaseOptions = {}): Promise<DatabaseHandle> {
  return config.DATABASE_URL ? connectPostgres(config.DATABASE_URL, options) : openPglite(config.DATA_DIR, options);
}

async function openPglite(dataDir: string, options: DatabaseOptions): Promise<DatabaseHandle> {
  const dir = options.inMemory ? undefined : resolve(join(dataDir, 'pglite'));
  let client: PGlite;
  try {
    if (dir) mkdirSync(dir, { recursive: true });
    client = dir ? await PGlite.create(dir) : await PGlite.create();
  } catch (err) {
    throw new StoreUnavailableError('pglite', `cannot open ${dir ?? 'in-memory database'}: ${errorMessage(err)}`, err);
  }
  const db = drizzlePglite(client, { schema });
  return handle(db, 'pglite', 'pglite', () => client.close());
}

async function connectPostgres(url: string, options: DatabaseOptions): Promise<DatabaseHandle> {
  const timeout = options.connectTimeoutSeconds ?? 5;
  const clientOptions = {
    max: options.maxConnections ?? 10,
    connect_timeout: timeout,
    // Migrations emit NOTICEs such as "schema already exists, skipping"; they are not news.
    onnotice: () => {},
  };
  const client = postgres(url, clientOptions);
  const db = drizzlePostgres(client, { schema });
  const result = handle(db, 'postgres', 'postgres', () => client.end({ timeout: 5 }));
  singleConnection.set(result, async (fn) => {
    const single = postgres(url, { ...clientOptions, max: 1 });
    try {
      return await fn(drizzlePostgres(single, { schema }));
    } finally {
      await single.end({ timeout: 5 });
    }
  });
  try {
    // postgres.js connects lazily: connect now so a wrong URL fails at start, not on the first request.
    await client`select 1`;
  } catch (err) {
    await client.end({ timeout: 0 }).catch(() => {});
    throw new StoreUnavailableError('postgres', `cannot connect to ${redactUrl(url)} (timeout ${timeout}s): ${errorMessage(err)}`, err);
  }
  return result;
}

function handle(db: Database, driver: DatabaseDriver, store: string, closeClient: () => Promise<void>): DatabaseHandle {
  let closed = false;
  return {
    db,
    driver,
    async ping() {
      try {
        await db.execute(sql`select 1`);
      } catch (err) {
        throw new StoreUnavailableError(store, errorMessage(err instanceof Error && err.cause ? err.cause : err), err);
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await closeClient();
    },
  };
}
