import { sql } from 'drizzle-orm';
import { index, jsonb, pgTable, text, unique, uuid } from 'drizzle-orm/pg-core';
import { createdAt, primaryId } from './columns.ts';
import { tenants } from './tenancy.ts';

export interface CustomerOrder {
  orderId: string;
  status: string;
  total?: number;
  placedAt?: string;
  [key: string]: unknown;
}

/** The demo CRM the agent's tools look customers up in. */
export const customers = pgTable(
  'customers',
  {
    id: primaryId(),
    tenantId: uuid('tenant_id').notNull().references(() => tenants.id, { onDelete: 'cascade' }),
    externalId: text('external_id').notNull(),
    fullName: text('full_name').notNull(),
    email: text('email'),
    phone: text('phone'),
    accountId: text('account_id'),
    membershipLevel: text('membership_level'),
    username: text('username'),
    orders: jsonb('orders').$type<CustomerOrder[]>().notNull().default([]),
    createdAt: createdAt(),
  },
  (t) => [
    unique('customers_tenant_external_id_key').on(t.tenantId, t.externalId),
    index('customers_tenant_account_idx').on(t.tenantId, t.accountId),
    index('customers_tenant_email_idx').on(t.tenantId, sql`lower(${t.email})`),
  ],
);
