import { and, eq, type SQL } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import { z } from 'zod';
import { AppError, ConflictError, NotFoundError, ValidationError, parseOrThrow, type ErrorContext } from '@cc/core';
import type { Database } from '../database.ts';

export { parseOrThrow };

/** Postgres accepts any 8-4-4-4-12 hex id; so do we (z.guid, not the version-checking z.uuid). */
export const Id = z.guid();

/** An id that is not a uuid cannot name a row: report it as not found rather than a database error. */
export function requireId(what: string, id: string): string {
  if (!Id.safeParse(id).success) throw new NotFoundError(what, id);
  return id;
}

export function requireRow<T>(row: T | undefined, what: string, id: string): T {
  if (row === undefined) throw new NotFoundError(what, id);
  return row;
}

interface PgErrorFields {
  code?: unknown;
  constraint?: unknown;
  constraint_name?: unknown;
  cause?: unknown;
}

/** The Postgres error under drizzle's wrapper (postgres.js and PGlite shape it slightly differently). */
export function postgresError(err: unknown): { code: string; constraint?: string; message: string } | undefined {
  for (let e: unknown = err, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as PgErrorFields).cause, depth++) {
    const f = e as PgErrorFields;
    if (typeof f.code === 'string' && /^[0-9A-Z]{5}$/.test(f.code)) {
      const constraint = typeof f.constraint_name === 'string' ? f.constraint_name : typeof f.constraint === 'string' ? f.constraint : undefined;
      return { code: f.code, message: e instanceof Error ? e.message : String(e), ...(constraint ? { constraint } : {}) };
    }
  }
  return undefined;
}

/**
 * Run a write and turn constraint violations into typed errors: a duplicate becomes a ConflictError
 * with `conflictMessage`, a write the database refuses by rule (immutability) a ConflictError too.
 */
export async function mapConstraintErrors<T>(write: () => Promise<T>, conflictMessage: string, context: ErrorContext = {}): Promise<T> {
  try {
    return await write();
  } catch (err) {
    if (err instanceof AppError) throw err;
    const pg = postgresError(err);
    if (pg?.code === '23505') throw new ConflictError(conflictMessage, { ...context, constraint: pg.constraint });
    if (pg?.code === '55000') throw new ConflictError(pg.message, context);
    if (pg?.code === '23503') throw new ValidationError('reference', [{ path: pg.constraint ?? '', message: 'refers to a row that does not exist' }], context);
    throw err;
  }
}

type TenantScopedTable = PgTable & { id: PgColumn; tenantId: PgColumn };

/** Throw NotFoundError unless row `id` of `table` belongs to `tenantId`: references never cross tenants. */
export async function requireInTenant(db: Database, table: TenantScopedTable, tenantId: string, id: string, what: string, extra?: SQL): Promise<void> {
  requireId(what, id);
  const rows = await db
    .select({ id: table.id })
    .from(table as PgTable)
    .where(and(eq(table.tenantId, tenantId), eq(table.id, id), extra))
    .limit(1);
  if (rows.length === 0) throw new NotFoundError(what, id);
}

/** Opaque keyset cursor: the sort key of the last row returned. */
export function encodeCursor(parts: (string | number)[]): string {
  return Buffer.from(JSON.stringify(parts)).toString('base64url');
}

export function decodeCursor(cursor: string): unknown[] {
  try {
    const parts: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(parts)) return parts;
  } catch {
    // fall through to the ValidationError
  }
  return invalidCursor();
}

export function invalidCursor(): never {
  throw new ValidationError('cursor', [{ path: 'cursor', message: 'is not a cursor returned by this list' }]);
}

export const Limit = (fallback: number, max: number) => z.number().int().min(1).max(max).default(fallback);
