import { bigserial, index, jsonb, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { createdAt } from './columns.ts';
import { auditActorType } from './enums.ts';
import { tenants } from './tenancy.ts';

/**
 * Append-only: a trigger (custom migration) raises on UPDATE, DELETE and TRUNCATE. actor_id and
 * entity_id are plain text, not foreign keys, so entries outlive what they describe.
 */
export const auditLog = pgTable(
  'audit_log',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    // NO ACTION: history must not vanish with a cascade; a tenant with audit history is not deleted.
    tenantId: uuid('tenant_id').notNull().references(() => tenants.id),
    actorType: auditActorType('actor_type').notNull(),
    actorId: text('actor_id'),
    action: text('action').notNull(),
    entityType: text('entity_type').notNull(),
    entityId: text('entity_id'),
    details: jsonb('details').$type<Record<string, unknown>>().notNull().default({}),
    createdAt: createdAt(),
  },
  (t) => [index('audit_log_tenant_idx').on(t.tenantId, t.id)],
);
