import { boolean, index, integer, pgTable, text, unique, uuid } from 'drizzle-orm/pg-core';
import { createdAt, primaryId, timestamptz } from './columns.ts';
import { callOutcome, reviewReason, reviewStatus } from './enums.ts';
import { calls } from './calls.ts';
import { tenants, users } from './tenancy.ts';

export const reviewTasks = pgTable(
  'review_tasks',
  {
    id: primaryId(),
    tenantId: uuid('tenant_id').notNull().references(() => tenants.id, { onDelete: 'cascade' }),
    callId: uuid('call_id').notNull().references(() => calls.id, { onDelete: 'cascade' }),
    turnIndex: integer('turn_index'),
    reason: reviewReason('reason').notNull(),
    status: reviewStatus('status').notNull().default('open'),
    priority: integer('priority').notNull().default(0),
    assignedTo: uuid('assigned_to').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
    completedAt: timestamptz('completed_at'),
  },
  (t) => [
    index('review_tasks_tenant_status_idx').on(t.tenantId, t.status, t.priority.desc().nullsFirst(), t.createdAt),
    index('review_tasks_call_idx').on(t.callId),
  ],
);

export const reviewLabels = pgTable(
  'review_labels',
  {
    id: primaryId(),
    taskId: uuid('task_id').notNull().references(() => reviewTasks.id, { onDelete: 'cascade' }),
    // NO ACTION: labels are evaluation ground truth; reviewers are disabled, not deleted.
    reviewerId: uuid('reviewer_id').notNull().references(() => users.id),
    intent: text('intent').notNull(),
    hallucination: boolean('hallucination').notNull(),
    hallucinationSpan: text('hallucination_span'),
    outcome: callOutcome('outcome').notNull(),
    notes: text('notes').notNull().default(''),
    createdAt: createdAt(),
  },
  (t) => [unique('review_labels_task_reviewer_key').on(t.taskId, t.reviewerId)],
);
