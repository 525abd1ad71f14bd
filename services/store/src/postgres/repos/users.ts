import { and, asc, eq, getTableColumns, sql } from 'drizzle-orm';
import { z } from 'zod';
import { Role, hashPassword } from '@cc/core';
import type { Database } from '../database.ts';
import { users } from '../schema/index.ts';
import { Id, mapConstraintErrors, parseOrThrow, requireId, requireRow } from './common.ts';

/** A user as handed around: never with the password hash. */
export type User = Omit<typeof users.$inferSelect, 'passwordHash'>;
/** Only for sign-in, which has to compare the hash. */
export type UserWithPasswordHash = typeof users.$inferSelect;

export const Email = z.string().trim().toLowerCase().pipe(z.email());

export const NewUser = z.object({
  email: Email,
  name: z.string().trim().min(1).max(200),
  role: Role,
  password: z.string().min(8, 'must be at least 8 characters').max(512).optional(),
});
export type NewUser = z.input<typeof NewUser>;

const { passwordHash: _omit, ...publicColumns } = getTableColumns(users);

export async function createUser(db: Database, tenantId: string, input: NewUser): Promise<User> {
  requireId('tenant', tenantId);
  const { password, ...values } = parseOrThrow(NewUser, input, 'user');
  const passwordHash = password === undefined ? null : await hashPassword(password);
  const [row] = await mapConstraintErrors(
    () => db.insert(users).values({ ...values, tenantId, passwordHash }).returning(publicColumns),
    `a user with email ${values.email} already exists`,
    { email: values.email },
  );
  return row!;
}

export async function findUserByEmail(db: Database, tenantId: string, email: string): Promise<UserWithPasswordHash | null> {
  requireId('tenant', tenantId);
  const [row] = await db
    .select()
    .from(users)
    .where(and(eq(users.tenantId, tenantId), eq(sql`lower(${users.email})`, email.trim().toLowerCase())))
    .limit(1);
  return row ?? null;
}

export async function getUser(db: Database, tenantId: string, userId: string): Promise<User | null> {
  requireId('tenant', tenantId);
  if (!Id.safeParse(userId).success) return null;
  const [row] = await db.select(publicColumns).from(users).where(and(eq(users.tenantId, tenantId), eq(users.id, userId))).limit(1);
  return row ?? null;
}

export async function listUsers(db: Database, tenantId: string): Promise<User[]> {
  requireId('tenant', tenantId);
  return db.select(publicColumns).from(users).where(eq(users.tenantId, tenantId)).orderBy(asc(users.email));
}

/** Disabled users keep their history but can no longer sign in, use their sessions or their API keys. */
export async function disableUser(db: Database, tenantId: string, userId: string, at = new Date()): Promise<User> {
  requireId('tenant', tenantId);
  requireId('user', userId);
  const [row] = await db
    .update(users)
    .set({ disabledAt: at })
    .where(and(eq(users.tenantId, tenantId), eq(users.id, userId)))
    .returning(publicColumns);
  return requireRow(row, 'user', userId);
}

/**
 * Sign-in: the email (case-insensitive) across tenants, since the tenant is what sign-in establishes.
 * Several rows mean the caller must say which organisation.
 */
export async function findUsersForSignIn(db: Database, email: string): Promise<UserWithPasswordHash[]> {
  return db
    .select()
    .from(users)
    .where(eq(sql`lower(${users.email})`, email.trim().toLowerCase()))
    .limit(10);
}
