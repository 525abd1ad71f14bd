import { and, eq, gt, inArray, isNull, lte } from 'drizzle-orm';
import { z } from 'zod';
import { Role, randomToken, sha256Hex } from '@cc/core';
import type { Database } from '../database.ts';
import { sessions, users } from '../schema/index.ts';
import { parseOrThrow, requireId, requireRow } from './common.ts';

export interface SessionUser {
  userId: string;
  tenantId: string;
  email: string;
  name: string;
  role: Role;
  expiresAt: Date;
}

export const NewSession = z.object({
  userId: z.guid(),
  ttlSeconds: z.number().int().min(60).max(90 * 24 * 3600).default(7 * 24 * 3600),
});
export type NewSession = z.input<typeof NewSession>;

/** The token goes to the browser; the table keeps only its sha256 as the session id. */
export async function createSession(db: Database, tenantId: string, input: NewSession, now = new Date()): Promise<{ token: string; expiresAt: Date }> {
  requireId('tenant', tenantId);
  const { userId, ttlSeconds } = parseOrThrow(NewSession, input, 'session');
  const [user] = await db
    .select({ id: users.id })
    .from(users)
    .where(and(eq(users.tenantId, tenantId), eq(users.id, userId), isNull(users.disabledAt)));
  requireRow(user, 'user', userId);
  const token = randomToken(32);
  const expiresAt = new Date(now.getTime() + ttlSeconds * 1000);
  await db.insert(sessions).values({ id: sha256Hex(token), userId, expiresAt });
  return { token, expiresAt };
}

/** Authentication: the token establishes the tenant, so this lookup is not tenant-scoped. */
export async function findValidSession(db: Database, token: string, now = new Date()): Promise<SessionUser | null> {
  const [row] = await db
    .select({ userId: users.id, tenantId: users.tenantId, email: users.email, name: users.name, role: users.role, expiresAt: sessions.expiresAt })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(and(eq(sessions.id, sha256Hex(token)), gt(sessions.expiresAt, now), isNull(users.disabledAt)))
    .limit(1);
  return row ?? null;
}

/** Sign-out. Returns whether a session of this tenant was deleted. */
export async function deleteSession(db: Database, tenantId: string, token: string): Promise<boolean> {
  requireId('tenant', tenantId);
  const tenantUsers = db.select({ id: users.id }).from(users).where(eq(users.tenantId, tenantId));
  const deleted = await db
    .delete(sessions)
    .where(and(eq(sessions.id, sha256Hex(token)), inArray(sessions.userId, tenantUsers)))
    .returning({ id: sessions.id });
  return deleted.length > 0;
}

/** Housekeeping across tenants: drop expired sessions. Returns how many were removed. */
export async function deleteExpiredSessions(db: Database, now = new Date()): Promise<number> {
  const deleted = await db.delete(sessions).where(lte(sessions.expiresAt, now)).returning({ id: sessions.id });
  return deleted.length;
}
