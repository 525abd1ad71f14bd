import { z } from 'zod';
import { CallEventRow, StageLatencyRow, TurnRow } from '@cc/core';

/**
 * Job contracts: one zod schema per job name is the single source of the payload type for the
 * producer (API, voice runtime, evals) and the consumer (worker).
 */
export const IngestCallAnalytics = z.object({
  tenantId: z.string().min(1),
  callId: z.string().min(1),
  turns: z.array(TurnRow).max(10_000).default([]),
  stageLatency: z.array(StageLatencyRow).max(100_000).default([]),
  events: z.array(CallEventRow).max(10_000).default([]),
});
export type IngestCallAnalytics = z.infer<typeof IngestCallAnalytics>;

export const DeadLetter = z.object({
  queue: z.string(),
  jobName: z.string(),
  jobId: z.string(),
  data: z.unknown(),
  error: z.string(),
  attemptsMade: z.number().int(),
  failedAt: z.string(),
});
export type DeadLetter = z.infer<typeof DeadLetter>;

/** Guardrail check of live rollouts (repeated every minute); empty = every live rollout. */
export const CheckRollouts = z.object({ tenantId: z.guid().optional(), rolloutId: z.guid().optional() }).strict();
export type CheckRollouts = z.infer<typeof CheckRollouts>;

export const jobContracts = {
  'ingest-call-analytics': { queue: 'analytics', schema: IngestCallAnalytics },
  'check-rollouts': { queue: 'rollouts', schema: CheckRollouts },
} as const;

export type JobName = keyof typeof jobContracts;
export type JobPayload<N extends JobName> = z.infer<(typeof jobContracts)[N]['schema']>;
export const queueNames = ['analytics', 'rollouts', 'dead-letter'] as const;
export type QueueName = (typeof queueNames)[number];
