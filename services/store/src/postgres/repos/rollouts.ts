import { and, desc, eq, ne, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { Environment, RolloutStage, RolloutStatus } from '@cc/core';
import type { Database } from '../database.ts';
import { agentVersions, rollouts } from '../schema/index.ts';
import { Id, parseOrThrow, requireId, requireInTenant, requireRow } from './common.ts';

export type Rollout = typeof rollouts.$inferSelect;

const SplitPercent = z.number().int().min(0).max(100);
const Guardrails = z.record(z.string(), z.unknown());

export const NewRollout = z
  .object({
    name: z.string().trim().min(1).max(200),
    baselineVersionId: Id,
    candidateVersionId: Id,
    environment: Environment,
    stage: RolloutStage.default('shadow'),
    splitPercent: SplitPercent.default(0),
    guardrails: Guardrails.default({}),
  })
  .refine((r) => r.baselineVersionId !== r.candidateVersionId, { path: ['candidateVersionId'], message: 'must differ from the baseline' });
export type NewRollout = z.input<typeof NewRollout>;

export const RolloutChange = z
  .object({ stage: RolloutStage.optional(), splitPercent: SplitPercent.optional(), status: RolloutStatus.optional(), guardrails: Guardrails.optional() })
  .refine((c) => Object.values(c).some((v) => v !== undefined), 'nothing to change');
export type RolloutChange = z.input<typeof RolloutChange>;

/** Both versions must be published versions of this tenant: drafts can still change under a rollout. */
export async function createRollout(db: Database, tenantId: string, input: NewRollout): Promise<Rollout> {
  requireId('tenant', tenantId);
  const values = parseOrThrow(NewRollout, input, 'rollout');
  const published = eq(agentVersions.status, 'published');
  await requireInTenant(db, agentVersions, tenantId, values.baselineVersionId, 'published baseline version', published);
  await requireInTenant(db, agentVersions, tenantId, values.candidateVersionId, 'published candidate version', published);
  const [row] = await db.insert(rollouts).values({ ...values, tenantId }).returning();
  return row!;
}

export async function getRollout(db: Database, tenantId: string, rolloutId: string): Promise<Rollout> {
  requireId('tenant', tenantId);
  requireId('rollout', rolloutId);
  const [row] = await db.select().from(rollouts).where(and(eq(rollouts.tenantId, tenantId), eq(rollouts.id, rolloutId)));
  return requireRow(row, 'rollout', rolloutId);
}

export async function listRollouts(db: Database, tenantId: string, filter: { activeOnly?: boolean } = {}): Promise<Rollout[]> {
  requireId('tenant', tenantId);
  const conditions: (SQL | undefined)[] = [eq(rollouts.tenantId, tenantId)];
  if (filter.activeOnly) conditions.push(ne(rollouts.status, 'completed'), ne(rollouts.status, 'rolled_back'));
  return db.select().from(rollouts).where(and(...conditions)).orderBy(desc(rollouts.createdAt), desc(rollouts.id));
}

export async function updateRollout(db: Database, tenantId: string, rolloutId: string, change: RolloutChange, now = new Date()): Promise<Rollout> {
  requireId('tenant', tenantId);
  requireId('rollout', rolloutId);
  const values = parseOrThrow(RolloutChange, change, 'rollout change');
  const [row] = await db
    .update(rollouts)
    .set({ ...values, updatedAt: now })
    .where(and(eq(rollouts.tenantId, tenantId), eq(rollouts.id, rolloutId)))
    .returning();
  return requireRow(row, 'rollout', rolloutId);
}
