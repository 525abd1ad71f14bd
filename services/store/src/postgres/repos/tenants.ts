import { eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Database } from '../database.ts';
import { tenants } from '../schema/index.ts';
import { Id, mapConstraintErrors, parseOrThrow } from './common.ts';

export type Tenant = typeof tenants.$inferSelect;

export const Slug = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/, 'use lowercase letters, digits and dashes (max 64)');

export const NewTenant = z.object({ slug: Slug, name: z.string().trim().min(1).max(200) });
export type NewTenant = z.input<typeof NewTenant>;

/** Tenants are the scope everything else lives in, so these two are the only unscoped lookups besides auth. */
export async function createTenant(db: Database, input: NewTenant): Promise<Tenant> {
  const values = parseOrThrow(NewTenant, input, 'tenant');
  const [row] = await mapConstraintErrors(() => db.insert(tenants).values(values).returning(), `tenant ${values.slug} already exists`, { slug: values.slug });
  return row!;
}

export async function getTenantBySlug(db: Database, slug: string): Promise<Tenant | null> {
  const [row] = await db.select().from(tenants).where(eq(tenants.slug, slug.trim().toLowerCase())).limit(1);
  return row ?? null;
}

export async function getTenant(db: Database, tenantId: string): Promise<Tenant | null> {
  if (!Id.safeParse(tenantId).success) return null;
  const [row] = await db.select().from(tenants).where(eq(tenants.id, tenantId)).limit(1);
  return row ?? null;
}
