import { z } from 'zod';
import { AppError, errorMessage, type Logger } from '@cc/core';
import type { AnalyticsStore } from '@cc/store/clickhouse';
import { CheckRollouts } from '@cc/queue';
import { appendAudit, type Database, type Rollout } from '@cc/store/postgres';
import { evaluateGuardrails, sequentialVerdicts, type GuardrailCheck } from './guardrails.ts';
import { publishNotification, rolledBackNotification, type Publisher } from './notifications.ts';
import { listLiveRollouts } from './repo.ts';
import { redisSequentialStore, rolloutMetrics, transitionRollout, type KeyValue } from './service.ts';

// ─── job contract (the lead registers it in services/queue and services/worker) ───────────────────

/** Payload of the repeatable job (its contract lives with the others in @cc/queue). */
export const CheckRolloutsJob = CheckRollouts;
export type CheckRolloutsJob = CheckRollouts;

/**
 * One job name on its own queue, repeated every minute with a fixed job id (a repeatable job is one
 * schedule however many processes register it). Shaped like services/queue's jobContracts entries.
 */
export const checkRolloutsJobContract = {
  name: 'check-rollouts',
  queue: 'rollouts',
  schema: CheckRolloutsJob,
  repeat: { every: 60_000 },
  jobId: 'check-rollouts',
  /** A check must not outlive the next one by much; it is idempotent, so retries are safe. */
  attempts: 3,
} as const;

export const CheckOutcome = z.enum(['ok', 'insufficient_data', 'rolled_back', 'busy', 'error']);
export const CheckRolloutsResult = z.object({
  checked: z.number().int(),
  rolledBack: z.number().int(),
  results: z.array(z.object({ tenantId: z.string(), rolloutId: z.string(), outcome: CheckOutcome, reason: z.string().nullable() })),
});
export type CheckRolloutsResult = z.infer<typeof CheckRolloutsResult>;

// ─── the check ───────────────────────────────────────────────────────────────────────────────────

export interface CheckDeps {
  db: Database;
  analytics: AnalyticsStore;
  /** Publishes notifications and keeps the sequential state (ioredis' Redis). */
  redis: Publisher & KeyValue;
  logger?: Logger;
  now?: () => Date;
}

/** The audit actor of automatic rollbacks. */
export const GUARDRAIL_ACTOR_ID = 'rollout-guardrails';

/**
 * Check every live rollout (or the job's tenant / rollout): collect its metrics, take a look for the
 * sequential verdicts, evaluate the guardrails, and on a breach roll it back — status rolled_back,
 * traffic to control — with an audit entry (actor system) in the same transaction, then publish a
 * console notification. Idempotent: a rollout already rolled back is no longer live and is skipped.
 * One rollout's failure does not stop the others.
 */
export async function checkRollouts(deps: CheckDeps, job: CheckRolloutsJob = {}): Promise<CheckRolloutsResult> {
  const filter = CheckRolloutsJob.parse(job);
  const live = await listLiveRollouts(deps.db, filter);
  const results: CheckRolloutsResult['results'] = [];
  for (const rollout of live) {
    try {
      results.push({ tenantId: rollout.tenantId, rolloutId: rollout.id, ...(await checkOne(deps, rollout)) });
    } catch (err) {
      deps.logger?.error({ err: errorMessage(err), rolloutId: rollout.id }, 'rollout check failed');
      results.push({ tenantId: rollout.tenantId, rolloutId: rollout.id, outcome: 'error', reason: errorMessage(err).slice(0, 500) });
    }
  }
  return { checked: results.length, rolledBack: results.filter((r) => r.outcome === 'rolled_back').length, results };
}

async function checkOne(deps: CheckDeps, rollout: Rollout): Promise<{ outcome: z.infer<typeof CheckOutcome>; reason: string | null }> {
  const now = deps.now?.() ?? new Date();
  const metrics = await rolloutMetrics(deps.analytics, rollout, now);
  const sequential = redisSequentialStore(deps.redis);
  const { state } = sequentialVerdicts(rollout, metrics, await sequential.load(rollout.id), now);
  await sequential.save(rollout.id, state);

  const evaluation = evaluateGuardrails(rollout, metrics);
  if (!evaluation.breached) {
    const waiting = evaluation.checks.some((c) => c.status === 'insufficient_data');
    return { outcome: waiting ? 'insufficient_data' : 'ok', reason: null };
  }
  let rolledBack: Rollout;
  try {
    rolledBack = await deps.db.transaction(async (tx) => {
      const { after, before } = await transitionRollout(tx, rollout.tenantId, rollout.id, 'rollback', { reason: evaluation.reason!.slice(0, 1000) }, now);
      await appendAudit(tx, rollout.tenantId, {
        actorType: 'system',
        actorId: GUARDRAIL_ACTOR_ID,
        action: 'rollout.rolled_back',
        entityType: 'rollout',
        entityId: rollout.id,
        details: {
          automatic: true,
          reason: evaluation.reason,
          from: { stage: before.stage, status: before.status, splitPercent: before.splitPercent },
          to: { stage: after.stage, status: after.status, splitPercent: after.splitPercent },
          breaches: evaluation.breaches.map(breachSummary),
          window: { from: metrics.from, to: metrics.to },
        },
      });
      return after;
    });
  } catch (err) {
    // Someone else is changing it right now (or just ended it): the next run looks again.
    if (err instanceof AppError && err.code === 'conflict') return { outcome: 'busy', reason: err.message };
    throw err;
  }
  deps.logger?.warn({ rolloutId: rollout.id, tenantId: rollout.tenantId, reason: evaluation.reason }, 'rollout rolled back by guardrail');
  try {
    await publishNotification(deps.redis, rolledBackNotification({ rollout: rolledBack, breaches: evaluation.breaches, actorId: GUARDRAIL_ACTOR_ID, at: now }));
  } catch (err) {
    // The rollback stands (it is committed and audited); only the live notification is lost.
    deps.logger?.error({ err: errorMessage(err), rolloutId: rollout.id }, 'rollback notification failed');
  }
  return { outcome: 'rolled_back', reason: evaluation.reason };
}

function breachSummary(b: GuardrailCheck) {
  return { guardrail: b.guardrail, threshold: b.threshold, observed: b.observed, n: b.n, test: b.test, detail: b.detail };
}
