import { and, desc, eq, lt, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import type { Database } from '../database.ts';
import { AuditActorType, auditLog } from '../schema/index.ts';
import { Limit, decodeCursor, encodeCursor, invalidCursor, parseOrThrow, requireId } from './common.ts';
import { redactDeep } from '@cc/core';

export type AuditEntry = typeof auditLog.$inferSelect;

export const NewAuditEntry = z.object({
  actorType: AuditActorType,
  actorId: z.string().min(1).max(200).optional(),
  action: z.string().trim().min(1).max(100),
  entityType: z.string().trim().min(1).max(100),
  entityId: z.string().min(1).max(200).optional(),
  // Personal data never reaches the append-only log, where it could not be erased.
  details: z.record(z.string(), z.unknown()).default({}).transform((d) => redactDeep(d)),
});
export type NewAuditEntry = z.input<typeof NewAuditEntry>;

export const AuditListQuery = z.object({
  entityType: z.string().optional(),
  entityId: z.string().optional(),
  limit: Limit(50, 500),
  cursor: z.string().optional(),
});
export type AuditListQuery = z.input<typeof AuditListQuery>;

/** The log only grows: the table's trigger rejects UPDATE, DELETE and TRUNCATE. */
export async function appendAudit(db: Database, tenantId: string, input: NewAuditEntry): Promise<AuditEntry> {
  requireId('tenant', tenantId);
  const values = parseOrThrow(NewAuditEntry, input, 'audit entry');
  const [row] = await db.insert(auditLog).values({ ...values, tenantId }).returning();
  return row!;
}

/** Newest first; the cursor is the id of the last entry returned. */
export async function listAudit(db: Database, tenantId: string, query: AuditListQuery = {}): Promise<{ items: AuditEntry[]; nextCursor: string | null }> {
  requireId('tenant', tenantId);
  const q = parseOrThrow(AuditListQuery, query, 'audit list query');
  const conditions: (SQL | undefined)[] = [eq(auditLog.tenantId, tenantId)];
  if (q.entityType) conditions.push(eq(auditLog.entityType, q.entityType));
  if (q.entityId) conditions.push(eq(auditLog.entityId, q.entityId));
  if (q.cursor) {
    const [before] = decodeCursor(q.cursor);
    if (typeof before !== 'number' || !Number.isSafeInteger(before)) invalidCursor();
    conditions.push(lt(auditLog.id, before));
  }
  const rows = await db.select().from(auditLog).where(and(...conditions)).orderBy(desc(auditLog.id)).limit(q.limit + 1);
  const items = rows.slice(0, q.limit);
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > q.limit && last ? encodeCursor([last.id]) : null };
}
