import { createHash } from 'node:crypto';
import type { Stage, Status } from './stages.ts';
import { candidatePercent } from './stages.ts';

/** Assignment works in basis points: a caller's bucket is uniform in [0, 10000). */
export const BUCKETS = 10_000;

export type Arm = 'control' | 'candidate';

export interface AssignableRollout {
  id: string;
  baselineVersionId: string;
  candidateVersionId: string;
  stage: Stage;
  status: Status;
}

export interface Assignment {
  /** The version that handles the call. */
  versionId: string;
  arm: Arm;
  /** Set in the shadow stage: the candidate listens to the call (never speaks) alongside control. */
  shadowVersionId?: string;
  /** The caller's bucket in [0, 10000), or null for a caller without an id. */
  bucket: number | null;
}

/**
 * The caller's bucket for one rollout: the first 48 bits of sha256(tenant, rollout, caller) scaled to
 * [0, 10000). The rollout id is in the hash so that separate rollouts draw independent samples (a
 * caller in the candidate arm of one is not systematically in the candidate arm of the next).
 */
export function bucketOf(tenantId: string, rolloutId: string, callerIdHash: string): number {
  const digest = createHash('sha256').update(`${tenantId}\u0000${rolloutId}\u0000${callerIdHash}`).digest();
  return Math.floor((digest.readUIntBE(0, 6) * BUCKETS) / 2 ** 48);
}

/**
 * Which version a call gets. Sticky: the bucket depends only on tenant, rollout and caller, so the same
 * caller gets the same arm on every call. Monotone: the candidate arm is the buckets below the split
 * (split% × 100), so a caller in the candidate arm at 5% stays there at 25%, 50% and 100%.
 *
 * Always exactly one answer: shadow stage → control (candidate shadows); rolled back → control;
 * completed → candidate; a caller without an id (withheld number: pass '' or null) → control, since
 * such a caller cannot be kept on one version across calls.
 */
export function assignVersion(rollout: AssignableRollout, tenantId: string, callerIdHash: string | null | undefined): Assignment {
  const percent = candidatePercent(rollout);
  const live = rollout.status === 'active' || rollout.status === 'paused';
  const shadow = live && rollout.stage === 'shadow' ? { shadowVersionId: rollout.candidateVersionId } : {};
  if (!callerIdHash) {
    const arm: Arm = percent === 100 ? 'candidate' : 'control';
    return { versionId: arm === 'candidate' ? rollout.candidateVersionId : rollout.baselineVersionId, arm, bucket: null, ...shadow };
  }
  const bucket = bucketOf(tenantId, rollout.id, callerIdHash);
  const arm: Arm = bucket < percent * (BUCKETS / 100) ? 'candidate' : 'control';
  return { versionId: arm === 'candidate' ? rollout.candidateVersionId : rollout.baselineVersionId, arm, bucket, ...shadow };
}
