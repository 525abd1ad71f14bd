import { eq } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { ConflictError, NotFoundError, ValidationError } from '@cc/core';
import { agentVersions } from '../schema/index.ts';
import { describeOnBothDrivers } from '../test-support.ts';
import { postgresError } from './common.ts';
import {
  createAgentVersion,
  getAgentVersion,
  listAgentVersions,
  publishAgentVersion,
  retireAgentVersion,
  updateAgentVersion,
  type NewAgentVersion,
} from './agent-versions.ts';
import { createRollout, getRollout, listRollouts, updateRollout } from './rollouts.ts';

const draft = (version: string, extra: Partial<NewAgentVersion> = {}): NewAgentVersion => ({
  agentName: 'support',
  version,
  flows: { refund: { steps: ['verify', 'refund'] } },
  intents: [{ name: 'refund' }],
  thresholds: { intent_confidence: 0.6 },
  modelIds: { llm: 'claude-sonnet-4-5' },
  prompts: { system: 'Be brief.' },
  promptHash: 'ab'.repeat(32),
  changelog: 'first',
  ...extra,
});

describeOnBothDrivers('agent versions and rollouts', ({ db, tenantA, tenantB }) => {
  it('creates drafts, lists and gets them; version names are unique per agent and tenant', async () => {
    const v1 = await createAgentVersion(db(), tenantA().id, draft('1.0.0'));
    expect(v1).toMatchObject({ status: 'draft', flows: { refund: { steps: ['verify', 'refund'] } }, thresholds: { intent_confidence: 0.6 } });
    expect((await getAgentVersion(db(), tenantA().id, v1.id)).version).toBe('1.0.0');
    await expect(createAgentVersion(db(), tenantA().id, draft('1.0.0'))).rejects.toBeInstanceOf(ConflictError);
    await createAgentVersion(db(), tenantB().id, draft('1.0.0'));
    const v2 = await createAgentVersion(db(), tenantA().id, draft('1.1.0', { parentId: v1.id }));
    expect(v2.parentId).toBe(v1.id);
    expect((await listAgentVersions(db(), tenantA().id, { agentName: 'support' })).map((v) => v.version)).toEqual(['1.1.0', '1.0.0']);
    await expect(createAgentVersion(db(), tenantA().id, draft('2.0.0', { promptHash: 'not hex' }))).rejects.toBeInstanceOf(ValidationError);
  });

  it('lets drafts change, then freezes a published version', async () => {
    const v = await createAgentVersion(db(), tenantA().id, draft('3.0.0'));
    const edited = await updateAgentVersion(db(), tenantA().id, v.id, { changelog: 'tuned', thresholds: { intent_confidence: 0.7 } });
    expect(edited).toMatchObject({ changelog: 'tuned', thresholds: { intent_confidence: 0.7 } });

    const published = await publishAgentVersion(db(), tenantA().id, v.id);
    expect(published.status).toBe('published');
    expect(published.publishedAt).toBeInstanceOf(Date);
    await expect(updateAgentVersion(db(), tenantA().id, v.id, { changelog: 'sneaky' })).rejects.toBeInstanceOf(ConflictError);
    await expect(publishAgentVersion(db(), tenantA().id, v.id)).rejects.toBeInstanceOf(ConflictError);
    expect((await getAgentVersion(db(), tenantA().id, v.id)).changelog).toBe('tuned');

    expect((await retireAgentVersion(db(), tenantA().id, v.id)).status).toBe('retired');
    await expect(updateAgentVersion(db(), tenantA().id, v.id, { changelog: 'again' })).rejects.toBeInstanceOf(ConflictError);
  });

  it('enforces immutability in the database too, below the repository', async () => {
    const v = await createAgentVersion(db(), tenantA().id, draft('4.0.0'));
    await publishAgentVersion(db(), tenantA().id, v.id);
    for (const change of [{ changelog: 'direct write' }, { flows: {} }, { status: 'draft' as const }]) {
      const err = await db().update(agentVersions).set(change).where(eq(agentVersions.id, v.id)).then(() => undefined, (e: unknown) => e);
      expect(postgresError(err)?.code).toBe('55000');
    }
    // Retiring is the one change left.
    await db().update(agentVersions).set({ status: 'retired' }).where(eq(agentVersions.id, v.id));
  });

  it('never reads or changes another tenant’s versions', async () => {
    const v = await createAgentVersion(db(), tenantA().id, draft('5.0.0'));
    const b = tenantB().id;
    await expect(getAgentVersion(db(), b, v.id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(updateAgentVersion(db(), b, v.id, { changelog: 'x' })).rejects.toBeInstanceOf(NotFoundError);
    await expect(publishAgentVersion(db(), b, v.id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(retireAgentVersion(db(), b, v.id)).rejects.toBeInstanceOf(NotFoundError);
    expect((await listAgentVersions(db(), b)).some((x) => x.id === v.id)).toBe(false);
    await expect(createAgentVersion(db(), b, draft('5.0.1', { parentId: v.id }))).rejects.toBeInstanceOf(NotFoundError);
    expect((await getAgentVersion(db(), tenantA().id, v.id)).status).toBe('draft');
  });

  it('creates rollouts between published versions of the same tenant and moves them along', async () => {
    const a = tenantA().id;
    const base = await publishAgentVersion(db(), a, (await createAgentVersion(db(), a, draft('6.0.0'))).id);
    const cand = await createAgentVersion(db(), a, draft('6.1.0'));
    const input = { name: 'try 6.1', baselineVersionId: base.id, candidateVersionId: cand.id, environment: 'staging' as const };
    await expect(createRollout(db(), a, input)).rejects.toBeInstanceOf(NotFoundError); // candidate still a draft
    await publishAgentVersion(db(), a, cand.id);
    const rollout = await createRollout(db(), a, input);
    expect(rollout).toMatchObject({ stage: 'shadow', splitPercent: 0, status: 'active' });

    const moved = await updateRollout(db(), a, rollout.id, { stage: 'canary_5', splitPercent: 5 });
    expect(moved).toMatchObject({ stage: 'canary_5', splitPercent: 5 });
    await expect(updateRollout(db(), a, rollout.id, { splitPercent: 101 })).rejects.toBeInstanceOf(ValidationError);
    expect((await listRollouts(db(), a, { activeOnly: true })).map((r) => r.id)).toContain(rollout.id);

    const b = tenantB().id;
    await expect(getRollout(db(), b, rollout.id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(updateRollout(db(), b, rollout.id, { status: 'paused' })).rejects.toBeInstanceOf(NotFoundError);
    expect(await listRollouts(db(), b)).toEqual([]);
    await expect(createRollout(db(), b, input)).rejects.toBeInstanceOf(NotFoundError);
  });
});
