import { and, desc, eq, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { AgentVersionStatus, ConflictError } from '@cc/core';
import type { Database } from '../database.ts';
import { agentVersions, users } from '../schema/index.ts';
import { Id, mapConstraintErrors, parseOrThrow, requireId, requireInTenant, requireRow } from './common.ts';

export type AgentVersion = typeof agentVersions.$inferSelect;

const Hash = z.string().regex(/^[0-9a-f]{16,128}$/, 'must be a lowercase hex digest');

/** The editable content of a version; frozen once it is published. Omitted fields take the column defaults. */
const AgentVersionContent = z.object({
  flows: z.json(),
  intents: z.array(z.json()),
  thresholds: z.record(z.string(), z.number()),
  modelIds: z.record(z.string(), z.string()),
  prompts: z.record(z.string(), z.string()),
  promptHash: Hash.nullable(),
  kbSnapshotHash: Hash.nullable(),
  changelog: z.string().max(10_000),
});

export const NewAgentVersion = AgentVersionContent.partial().extend({
  agentName: z.string().trim().min(1).max(100),
  version: z.string().trim().min(1).max(64),
  parentId: Id.optional(),
  createdBy: Id.optional(),
});
export type NewAgentVersion = z.input<typeof NewAgentVersion>;

export const AgentVersionPatch = AgentVersionContent.partial().refine((p) => Object.values(p).some((v) => v !== undefined), 'nothing to change');
export type AgentVersionPatch = z.input<typeof AgentVersionPatch>;

export async function createAgentVersion(db: Database, tenantId: string, input: NewAgentVersion): Promise<AgentVersion> {
  requireId('tenant', tenantId);
  const values = parseOrThrow(NewAgentVersion, input, 'agent version');
  if (values.parentId) await requireInTenant(db, agentVersions, tenantId, values.parentId, 'parent agent version');
  if (values.createdBy) await requireInTenant(db, users, tenantId, values.createdBy, 'user');
  const [row] = await mapConstraintErrors(
    () => db.insert(agentVersions).values({ ...values, tenantId, status: 'draft' }).returning(),
    `agent ${values.agentName} already has a version ${values.version}`,
    { agentName: values.agentName, version: values.version },
  );
  return row!;
}

export async function getAgentVersion(db: Database, tenantId: string, versionId: string): Promise<AgentVersion> {
  requireId('tenant', tenantId);
  requireId('agent version', versionId);
  const [row] = await db.select().from(agentVersions).where(and(eq(agentVersions.tenantId, tenantId), eq(agentVersions.id, versionId)));
  return requireRow(row, 'agent version', versionId);
}

export async function listAgentVersions(
  db: Database,
  tenantId: string,
  filter: { agentName?: string; status?: z.infer<typeof AgentVersionStatus> } = {},
): Promise<AgentVersion[]> {
  requireId('tenant', tenantId);
  const conditions: (SQL | undefined)[] = [eq(agentVersions.tenantId, tenantId)];
  if (filter.agentName) conditions.push(eq(agentVersions.agentName, filter.agentName));
  if (filter.status) conditions.push(eq(agentVersions.status, filter.status));
  return db.select().from(agentVersions).where(and(...conditions)).orderBy(desc(agentVersions.createdAt), desc(agentVersions.id));
}

/** Lock the version row for the rest of the transaction and return it. */
async function lockVersion(tx: Database, tenantId: string, versionId: string): Promise<AgentVersion> {
  requireId('tenant', tenantId);
  requireId('agent version', versionId);
  const [row] = await tx
    .select()
    .from(agentVersions)
    .where(and(eq(agentVersions.tenantId, tenantId), eq(agentVersions.id, versionId)))
    .for('update');
  return requireRow(row, 'agent version', versionId);
}

/** Only drafts change; a published or retired version throws ConflictError (a trigger enforces it too). */
export async function updateAgentVersion(db: Database, tenantId: string, versionId: string, patch: AgentVersionPatch): Promise<AgentVersion> {
  const changes = parseOrThrow(AgentVersionPatch, patch, 'agent version change');
  return db.transaction(async (tx) => {
    const current = await lockVersion(tx, tenantId, versionId);
    if (current.status !== 'draft') {
      throw new ConflictError(`agent version ${current.agentName}@${current.version} is ${current.status} and cannot be changed; create a new version`, { versionId });
    }
    const [row] = await mapConstraintErrors(() => tx.update(agentVersions).set(changes).where(eq(agentVersions.id, versionId)).returning(), 'conflicting change');
    return row!;
  });
}

export async function publishAgentVersion(db: Database, tenantId: string, versionId: string, now = new Date()): Promise<AgentVersion> {
  return db.transaction(async (tx) => {
    const current = await lockVersion(tx, tenantId, versionId);
    if (current.status !== 'draft') {
      throw new ConflictError(`agent version ${current.agentName}@${current.version} is already ${current.status}`, { versionId });
    }
    const [row] = await tx.update(agentVersions).set({ status: 'published', publishedAt: now }).where(eq(agentVersions.id, versionId)).returning();
    return row!;
  });
}

export async function retireAgentVersion(db: Database, tenantId: string, versionId: string): Promise<AgentVersion> {
  return db.transaction(async (tx) => {
    const current = await lockVersion(tx, tenantId, versionId);
    if (current.status !== 'published') {
      throw new ConflictError(`only a published version can be retired; ${current.agentName}@${current.version} is ${current.status}`, { versionId });
    }
    const [row] = await tx.update(agentVersions).set({ status: 'retired' }).where(eq(agentVersions.id, versionId)).returning();
    return row!;
  });
}
