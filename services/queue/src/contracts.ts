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

/**
 * Evaluation jobs (docs/evals.md). Payloads carry ids only: the dataset call is loaded in the worker by
 * dataset name + call id; scorers read the replayed call back from ClickHouse by run id + call id.
 */
const evalId = z.string().min(1).max(120).regex(/^[\w.:-]+$/, 'letters, digits and . : _ -');
export const EvalCallRef = z.object({
  tenantId: z.string().min(1),
  runId: evalId,
  dataset: evalId,
  callId: evalId,
  agentVersion: evalId,
  /** The run's start (ISO): every row's time derives from it, so a re-run writes the same row keys. */
  runStartedAt: z.string().datetime(),
});
export type EvalCallRef = z.infer<typeof EvalCallRef>;
export const EvalReplayCall = EvalCallRef.extend({ scoreJobs: z.boolean().default(true) }).strict();
export type EvalReplayCall = z.infer<typeof EvalReplayCall>;
export const EvalScoreJob = EvalCallRef.strict();
export type EvalScoreJob = z.infer<typeof EvalScoreJob>;
/** Prices for `score-cost`, in USD; omitted ones use the defaults in the processor. */
export const EvalPrices = z.object({
  asrPerMinute: z.number().min(0).optional(),
  ttsPerMinute: z.number().min(0).optional(),
  llmInputPer1kTokens: z.number().min(0).optional(),
  llmOutputPer1kTokens: z.number().min(0).optional(),
  perTurnCompute: z.number().min(0).optional(),
});
export type EvalPrices = z.infer<typeof EvalPrices>;
export const EvalScoreCost = EvalCallRef.extend({ prices: EvalPrices.optional() }).strict();
export type EvalScoreCost = z.infer<typeof EvalScoreCost>;

export const jobContracts = {
  'ingest-call-analytics': { queue: 'analytics', schema: IngestCallAnalytics },
  'check-rollouts': { queue: 'rollouts', schema: CheckRollouts },
  'eval-replay-call': { queue: 'evals', schema: EvalReplayCall },
  'score-intent': { queue: 'evals', schema: EvalScoreJob },
  'score-hallucination': { queue: 'evals', schema: EvalScoreJob },
  'score-containment': { queue: 'evals', schema: EvalScoreJob },
  'score-latency': { queue: 'evals', schema: EvalScoreJob },
  'score-cost': { queue: 'evals', schema: EvalScoreCost },
} as const;

export type JobName = keyof typeof jobContracts;
export type JobPayload<N extends JobName> = z.infer<(typeof jobContracts)[N]['schema']>;
export const queueNames = ['analytics', 'rollouts', 'evals', 'dead-letter'] as const;
export type QueueName = (typeof queueNames)[number];
