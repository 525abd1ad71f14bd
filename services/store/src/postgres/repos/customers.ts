import { and, asc, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Database } from '../database.ts';
import { customers } from '../schema/index.ts';
import { mapConstraintErrors, parseOrThrow, requireId } from './common.ts';

export type Customer = typeof customers.$inferSelect;

const Optional = (max: number) => z.string().trim().min(1).max(max).optional();

export const CustomerOrder = z.looseObject({
  orderId: z.string().min(1),
  status: z.string().min(1),
  total: z.number().optional(),
  placedAt: z.string().optional(),
});

export const NewCustomer = z.object({
  externalId: z.string().trim().min(1).max(100),
  fullName: z.string().trim().min(1).max(200),
  email: z.string().trim().toLowerCase().pipe(z.email()).optional(),
  phone: Optional(40),
  accountId: Optional(100),
  membershipLevel: Optional(50),
  username: Optional(100),
  orders: z.array(CustomerOrder).default([]),
});
export type NewCustomer = z.input<typeof NewCustomer>;

// Postgres allows 65535 bind parameters per statement; 500 rows of 10 columns stays far below.
const CHUNK = 500;

/**
 * Insert many customers atomically. A duplicate external id is a ConflictError, unless
 * `onConflict: 'skip'` (re-running a seed). Returns how many rows were inserted.
 */
export async function insertCustomers(db: Database, tenantId: string, input: NewCustomer[], options: { onConflict?: 'error' | 'skip' } = {}): Promise<number> {
  requireId('tenant', tenantId);
  const rows = parseOrThrow(z.array(NewCustomer), input, 'customers').map((c) => ({ ...c, tenantId }));
  if (rows.length === 0) return 0;
  return db.transaction(async (tx) => {
    let inserted = 0;
    for (let i = 0; i < rows.length; i += CHUNK) {
      const insert = tx.insert(customers).values(rows.slice(i, i + CHUNK));
      const written = await mapConstraintErrors(
        () => (options.onConflict === 'skip' ? insert.onConflictDoNothing() : insert).returning({ id: customers.id }),
        'a customer with this external id already exists',
      );
      inserted += written.length;
    }
    return inserted;
  });
}

export async function findCustomerByAccountId(db: Database, tenantId: string, accountId: string): Promise<Customer | null> {
  requireId('tenant', tenantId);
  const [row] = await db
    .select()
    .from(customers)
    .where(and(eq(customers.tenantId, tenantId), eq(customers.accountId, accountId.trim())))
    .orderBy(asc(customers.createdAt))
    .limit(1);
  return row ?? null;
}

export async function findCustomerByEmail(db: Database, tenantId: string, email: string): Promise<Customer | null> {
  requireId('tenant', tenantId);
  const [row] = await db
    .select()
    .from(customers)
    .where(and(eq(customers.tenantId, tenantId), eq(sql`lower(${customers.email})`, email.trim().toLowerCase())))
    .orderBy(asc(customers.createdAt))
    .limit(1);
  return row ?? null;
}

/**
 * Pre-call lookup by the caller's number (ANI): formats differ between CCaaS and CRM ("+1 (555)
 * 010-0001" vs "5550100001"), so the last 10 digits are compared.
 */
export async function findCustomerByPhone(db: Database, tenantId: string, phone: string): Promise<Customer | null> {
  requireId('tenant', tenantId);
  const digits = phone.replace(/\D/g, '').slice(-10);
  if (digits.length < 7) return null;
  const [row] = await db
    .select()
    .from(customers)
    .where(and(eq(customers.tenantId, tenantId), sql`right(regexp_replace(coalesce(${customers.phone}, ''), '[^0-9]', '', 'g'), 10) = ${digits}`))
    .orderBy(asc(customers.createdAt))
    .limit(1);
  return row ?? null;
}
