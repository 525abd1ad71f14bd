import { and, asc, desc, eq, ne } from 'drizzle-orm';
import { z } from 'zod';
import { CallOutcome, ReviewReason } from '@cc/core';
import type { Database } from '../database.ts';
import { calls, reviewLabels, reviewTasks, users } from '../schema/index.ts';
import { Id, Limit, mapConstraintErrors, parseOrThrow, requireId, requireInTenant, requireRow } from './common.ts';
import { redact } from '@cc/core';

export type ReviewTask = typeof reviewTasks.$inferSelect;
export type ReviewLabel = typeof reviewLabels.$inferSelect;

export const NewReviewTask = z.object({
  callId: Id,
  turnIndex: z.number().int().min(0).optional(),
  reason: ReviewReason,
  priority: z.number().int().min(-1000).max(1000).default(0),
  assignedTo: Id.optional(),
});
export type NewReviewTask = z.input<typeof NewReviewTask>;

export const NewReviewLabel = z
  .object({
    reviewerId: Id,
    intent: z.string().trim().min(1).max(100),
    hallucination: z.boolean(),
    hallucinationSpan: z.string().min(1).max(5_000).transform((t) => redact(t).text).optional(),
    outcome: CallOutcome,
    notes: z.string().max(10_000).default('').transform((t) => redact(t).text),
    /** Close the task with this label (default); false leaves it open for a second reviewer. */
    completeTask: z.boolean().default(true),
  })
  .refine((l) => l.hallucination || l.hallucinationSpan === undefined, { path: ['hallucinationSpan'], message: 'only applies when hallucination is true' });
export type NewReviewLabel = z.input<typeof NewReviewLabel>;

export async function createReviewTask(db: Database, tenantId: string, input: NewReviewTask): Promise<ReviewTask> {
  requireId('tenant', tenantId);
  const values = parseOrThrow(NewReviewTask, input, 'review task');
  await requireInTenant(db, calls, tenantId, values.callId, 'call');
  if (values.assignedTo) await requireInTenant(db, users, tenantId, values.assignedTo, 'user');
  const [row] = await db.insert(reviewTasks).values({ ...values, tenantId }).returning();
  return row!;
}

/** Tasks not yet done, most urgent first. */
export async function listOpenReviewTasks(db: Database, tenantId: string, options: { limit?: number } = {}): Promise<ReviewTask[]> {
  requireId('tenant', tenantId);
  const limit = parseOrThrow(Limit(100, 1000), options.limit, 'limit');
  return db
    .select()
    .from(reviewTasks)
    .where(and(eq(reviewTasks.tenantId, tenantId), ne(reviewTasks.status, 'done')))
    .orderBy(desc(reviewTasks.priority), asc(reviewTasks.createdAt), asc(reviewTasks.id))
    .limit(limit);
}

/** Label a task (one label per reviewer) and, by default, mark it done, in one transaction. */
export async function addReviewLabel(db: Database, tenantId: string, taskId: string, input: NewReviewLabel, now = new Date()): Promise<ReviewLabel> {
  requireId('tenant', tenantId);
  requireId('review task', taskId);
  const { completeTask, ...label } = parseOrThrow(NewReviewLabel, input, 'review label');
  return db.transaction(async (tx) => {
    const scope = and(eq(reviewTasks.tenantId, tenantId), eq(reviewTasks.id, taskId));
    requireRow((await tx.select({ id: reviewTasks.id }).from(reviewTasks).where(scope).for('update'))[0], 'review task', taskId);
    await requireInTenant(tx, users, tenantId, label.reviewerId, 'reviewer');
    const [row] = await mapConstraintErrors(
      () => tx.insert(reviewLabels).values({ ...label, taskId }).returning(),
      `reviewer ${label.reviewerId} already labelled task ${taskId}`,
      { taskId },
    );
    await tx
      .update(reviewTasks)
      .set(completeTask ? { status: 'done', completedAt: now } : { status: 'in_progress' })
      .where(and(scope, ne(reviewTasks.status, 'done')));
    return row!;
  });
}

export async function listReviewLabels(db: Database, tenantId: string, taskId: string): Promise<ReviewLabel[]> {
  requireId('tenant', tenantId);
  requireId('review task', taskId);
  await requireInTenant(db, reviewTasks, tenantId, taskId, 'review task');
  return db.select().from(reviewLabels).where(eq(reviewLabels.taskId, taskId)).orderBy(asc(reviewLabels.createdAt));
}

export async function getReviewTask(db: Database, tenantId: string, taskId: string): Promise<ReviewTask> {
  requireId('tenant', tenantId);
  requireId('review task', taskId);
  const [row] = await db.select().from(reviewTasks).where(and(eq(reviewTasks.tenantId, tenantId), eq(reviewTasks.id, taskId)));
  return requireRow(row, 'review task', taskId);
}
