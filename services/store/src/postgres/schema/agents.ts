import { check, index, integer, jsonb, pgTable, text, unique, uuid, type AnyPgColumn } from 'drizzle-orm/pg-core';
import { sql } from 'drizzle-orm';
import { createdAt, primaryId, timestamptz, updatedAt } from './columns.ts';
import { agentVersionStatus, environment, rolloutStage, rolloutStatus } from './enums.ts';
import { tenants, users } from './tenancy.ts';

/** A published version is immutable (enforced by the repo and by a trigger); only retiring it is allowed. */
export const agentVersions = pgTable(
  'agent_versions',
  {
    id: primaryId(),
    tenantId: uuid('tenant_id').notNull().references(() => tenants.id, { onDelete: 'cascade' }),
    agentName: text('agent_name').notNull(),
    version: text('version').notNull(),
    parentId: uuid('parent_id').references((): AnyPgColumn => agentVersions.id, { onDelete: 'set null' }),
    status: agentVersionStatus('status').notNull().default('draft'),
    flows: jsonb('flows').$type<unknown>().notNull().default({}),
    intents: jsonb('intents').$type<unknown>().notNull().default([]),
    thresholds: jsonb('thresholds').$type<Record<string, number>>().notNull().default({}),
    modelIds: jsonb('model_ids').$type<Record<string, string>>().notNull().default({}),
    // The prompt texts themselves; prompt_hash is their digest, so the hash alone could not be replayed.
    prompts: jsonb('prompts').$type<Record<string, string>>().notNull().default({}),
    promptHash: text('prompt_hash'),
    kbSnapshotHash: text('kb_snapshot_hash'),
    changelog: text('changelog').notNull().default(''),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
    publishedAt: timestamptz('published_at'),
  },
  (t) => [
    unique('agent_versions_tenant_agent_version_key').on(t.tenantId, t.agentName, t.version),
    index('agent_versions_tenant_idx').on(t.tenantId, t.agentName, t.createdAt),
  ],
);

export const rollouts = pgTable(
  'rollouts',
  {
    id: primaryId(),
    tenantId: uuid('tenant_id').notNull().references(() => tenants.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    // NO ACTION (checked at statement end) so deleting a tenant can cascade through rollouts and versions.
    baselineVersionId: uuid('baseline_version_id').notNull().references(() => agentVersions.id),
    candidateVersionId: uuid('candidate_version_id').notNull().references(() => agentVersions.id),
    environment: environment('environment').notNull(),
    stage: rolloutStage('stage').notNull().default('shadow'),
    splitPercent: integer('split_percent').notNull().default(0),
    status: rolloutStatus('status').notNull().default('active'),
    guardrails: jsonb('guardrails').$type<Record<string, unknown>>().notNull().default({}),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('rollouts_tenant_idx').on(t.tenantId, t.createdAt),
    check('rollouts_split_percent_range', sql`${t.splitPercent} between 0 and 100`),
  ],
);
