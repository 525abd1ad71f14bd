import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hashCallerId } from '@cc/core';
import { BUCKETS, assignVersion, bucketOf, type AssignableRollout } from './assignment.ts';
import { STAGES, STAGE_SPLIT, type Stage } from './stages.ts';

const tenantId = '5b0a3a5e-4d3f-4c59-9a54-0b8d2b3a9f10';
const secret = 'x'.repeat(32);
const rollout = (over: Partial<AssignableRollout> = {}): AssignableRollout => ({
  id: 'c0a80101-0000-4000-8000-000000000001',
  baselineVersionId: '00000000-0000-4000-8000-00000000000a',
  candidateVersionId: '00000000-0000-4000-8000-00000000000b',
  stage: 'canary_5',
  status: 'active',
  ...over,
});
/** N distinct callers, hashed the way the platform stores them (hashCallerId). */
const callers = (n: number) => Array.from({ length: n }, (_, i) => hashCallerId(secret, tenantId, `+1555${String(i).padStart(7, '0')}`));

describe('sticky assignment', () => {
  it('gives the same caller the same version on every call', () => {
    for (const caller of callers(500)) {
      for (const stage of STAGES) {
        const r = rollout({ stage });
        const first = assignVersion(r, tenantId, caller);
        for (let call = 0; call < 3; call++) expect(assignVersion(r, tenantId, caller)).toEqual(first);
      }
    }
  });

  it('buckets are in [0, 10000) and depend on tenant, rollout and caller', () => {
    const caller = callers(1)[0]!;
    const b = bucketOf(tenantId, rollout().id, caller);
    expect(b).toBeGreaterThanOrEqual(0);
    expect(b).toBeLessThan(BUCKETS);
    expect(Number.isInteger(b)).toBe(true);
    // Over many other rollouts/tenants the same caller lands in many different buckets.
    const others = new Set(Array.from({ length: 50 }, () => bucketOf(tenantId, randomUUID(), caller)));
    expect(others.size).toBeGreaterThan(45);
    const otherTenants = new Set(Array.from({ length: 50 }, () => bucketOf(randomUUID(), rollout().id, caller)));
    expect(otherTenants.size).toBeGreaterThan(45);
  });

  it('split ratios hold within a binomial bound over 100,000 callers', () => {
    const N = 100_000;
    const all = callers(N);
    for (const stage of ['canary_5', 'pct_25', 'pct_50'] as Stage[]) {
      const p = STAGE_SPLIT[stage] / 100;
      const r = rollout({ stage });
      const candidates = all.filter((c) => assignVersion(r, tenantId, c).arm === 'candidate').length;
      // 4 standard deviations of Binomial(N, p): a correct hash fails this with probability < 1e-4.
      const bound = 4 * Math.sqrt(N * p * (1 - p));
      expect(Math.abs(candidates - N * p), `${stage}: ${candidates} of ${N}`).toBeLessThan(bound);
    }
  });

  it('bucket counts are uniform (chi-square over 20 bins)', () => {
    const N = 100_000;
    const bins = new Array<number>(20).fill(0);
    for (const c of callers(N)) bins[Math.floor(bucketOf(tenantId, rollout().id, c) / (BUCKETS / 20))]!++;
    const expected = N / 20;
    const chi2 = bins.reduce((s, o) => s + (o - expected) ** 2 / expected, 0);
    expect(chi2).toBeLessThan(43.8); // 99.9th percentile of chi-square with 19 degrees of freedom
  });

  it('is monotone: callers on the candidate at one stage stay on it at every later stage', () => {
    const all = callers(20_000);
    const candidateAt = (stage: Stage) => new Set(all.filter((c) => assignVersion(rollout({ stage }), tenantId, c).arm === 'candidate'));
    const sets = STAGES.map(candidateAt);
    for (let i = 1; i < sets.length; i++) {
      for (const caller of sets[i - 1]!) expect(sets[i]!.has(caller)).toBe(true);
      expect(sets[i]!.size).toBeGreaterThanOrEqual(sets[i - 1]!.size);
    }
    expect(sets[0]!.size).toBe(0); // shadow
    expect(sets[sets.length - 1]!.size).toBe(all.length); // full
  });

  it('shadow: everyone on control, the candidate shadows', () => {
    for (const caller of callers(200)) {
      expect(assignVersion(rollout({ stage: 'shadow' }), tenantId, caller)).toMatchObject({
        arm: 'control',
        versionId: rollout().baselineVersionId,
        shadowVersionId: rollout().candidateVersionId,
      });
    }
  });

  it('always one answer: rolled back → control, completed → candidate, paused keeps the split, no caller id → control', () => {
    const all = callers(2000);
    for (const c of all) {
      expect(assignVersion(rollout({ stage: 'pct_50', status: 'rolled_back' }), tenantId, c)).toMatchObject({ arm: 'control', versionId: rollout().baselineVersionId });
      expect(assignVersion(rollout({ stage: 'full', status: 'completed' }), tenantId, c)).toMatchObject({ arm: 'candidate', versionId: rollout().candidateVersionId });
      expect(assignVersion(rollout({ stage: 'pct_25', status: 'paused' }), tenantId, c).arm).toBe(assignVersion(rollout({ stage: 'pct_25' }), tenantId, c).arm);
    }
    for (const missing of ['', null, undefined]) {
      expect(assignVersion(rollout({ stage: 'pct_50' }), tenantId, missing)).toMatchObject({ arm: 'control', bucket: null });
      expect(assignVersion(rollout({ stage: 'full' }), tenantId, missing)).toMatchObject({ arm: 'candidate', bucket: null });
    }
  });
});
