import { z } from 'zod';
import { Speaker, Stage } from './enums.ts';
import { redact } from '../redaction/redact.ts';
import { redactDeep } from '../redaction/deep.ts';

/**
 * Rows written to ClickHouse. Each carries a deterministic `event_id` derived from its natural key,
 * so a retried job writes the same ids and ReplacingMergeTree collapses them.
 */
const dateTime = z.coerce.date();

/**
 * Text bound for ClickHouse is redacted by the schema itself, so no ingest path can store PII that a
 * producer forgot to redact (redaction is idempotent: already-redacted text passes unchanged).
 */
const redactedText = z.string().transform((t) => redact(t).text);
const redactedJson = z.string().transform((t) => {
  try {
    return JSON.stringify(redactDeep(JSON.parse(t)));
  } catch {
    return redact(t).text;
  }
});

export const TurnRow = z.object({
  tenant_id: z.string().min(1),
  call_id: z.string().min(1),
  turn_index: z.number().int().min(0),
  agent_version: z.string(),
  speaker: Speaker,
  text_redacted: redactedText,
  intent: z.string(),
  confidence: z.number().min(0).max(1),
  started_at: dateTime,
  ended_at: dateTime,
});
export type TurnRow = z.infer<typeof TurnRow>;

export const StageLatencyRow = z.object({
  tenant_id: z.string().min(1),
  call_id: z.string().min(1),
  turn_index: z.number().int().min(0),
  agent_version: z.string(),
  stage: Stage,
  started_at: dateTime,
  duration_ms: z.number().min(0),
});
export type StageLatencyRow = z.infer<typeof StageLatencyRow>;

export const ScoreRow = z.object({
  tenant_id: z.string().min(1),
  call_id: z.string().min(1),
  /** -1 for call-level scores. */
  turn_index: z.number().int().min(-1),
  agent_version: z.string(),
  run_id: z.string(),
  metric: z.string().min(1),
  value: z.number(),
  evaluator_version: z.string().min(1),
  details: redactedJson.default('{}'),
  scored_at: dateTime,
});
export type ScoreRow = z.infer<typeof ScoreRow>;

export const CallEventRow = z.object({
  tenant_id: z.string().min(1),
  call_id: z.string().min(1),
  seq: z.number().int().min(0),
  agent_version: z.string(),
  event_type: z.string().min(1),
  at: dateTime,
  payload: redactedJson.default('{}'),
});
export type CallEventRow = z.infer<typeof CallEventRow>;

export const analyticsTables = {
  turns: TurnRow,
  stage_latency: StageLatencyRow,
  scores: ScoreRow,
  call_events: CallEventRow,
} as const;
export type AnalyticsTable = keyof typeof analyticsTables;
export type AnalyticsRow<T extends AnalyticsTable> = z.infer<(typeof analyticsTables)[T]>;
