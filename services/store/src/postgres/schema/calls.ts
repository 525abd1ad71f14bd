import { index, jsonb, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { primaryId, timestamptz } from './columns.ts';
import { callOutcome, channel, connector } from './enums.ts';
import { agentVersions, rollouts } from './agents.ts';
import { tenants } from './tenancy.ts';

export const calls = pgTable(
  'calls',
  {
    id: primaryId(),
    tenantId: uuid('tenant_id').notNull().references(() => tenants.id, { onDelete: 'cascade' }),
    channel: channel('channel').notNull(),
    connector: connector('connector').notNull(),
    externalCallId: text('external_call_id'),
    // Caller ids are personal data: only a keyed hash (hashCallerId in @cc/core) is stored.
    callerIdHash: text('caller_id_hash'),
    startedAt: timestamptz('started_at').notNull().defaultNow(),
    endedAt: timestamptz('ended_at'),
    outcome: callOutcome('outcome').notNull().default('in_progress'),
    escalationReason: text('escalation_reason'),
    // NO ACTION: versions that handled calls stay, but a tenant delete can still cascade.
    agentVersionId: uuid('agent_version_id').references(() => agentVersions.id),
    rolloutId: uuid('rollout_id').references(() => rollouts.id, { onDelete: 'set null' }),
    metadata: jsonb('metadata').$type<Record<string, unknown>>().notNull().default({}),
  },
  (t) => [
    // Ascending on purpose: scanned backwards it serves ORDER BY started_at DESC, id DESC (the default NULLS FIRST).
    index('calls_tenant_started_idx').on(t.tenantId, t.startedAt, t.id),
    index('calls_tenant_external_idx').on(t.tenantId, t.externalCallId),
  ],
);
