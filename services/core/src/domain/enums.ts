import { z } from 'zod';

export const Role = z.enum(['admin', 'supervisor', 'reviewer', 'agent']);
export type Role = z.infer<typeof Role>;

export const Channel = z.enum(['voice', 'chat']);
export type Channel = z.infer<typeof Channel>;

/** How a call reached the platform: a CCaaS connector, the browser softphone, or a replayed recording. */
export const Connector = z.enum(['twilio', 'genesys', 'generic', 'replay']);
export type Connector = z.infer<typeof Connector>;

export const CallOutcome = z.enum(['in_progress', 'contained', 'escalated', 'abandoned', 'failed']);
export type CallOutcome = z.infer<typeof CallOutcome>;

export const Speaker = z.enum(['caller', 'agent', 'human_agent']);
export type Speaker = z.infer<typeof Speaker>;

/** Pipeline stages whose latency is measured on every turn. */
export const Stage = z.enum(['vad', 'asr', 'nlu', 'policy', 'llm', 'tts', 'transport']);
export type Stage = z.infer<typeof Stage>;

export const AgentVersionStatus = z.enum(['draft', 'published', 'retired']);
export const ArticleStatus = z.enum(['draft', 'published', 'archived']);
export const RolloutStage = z.enum(['shadow', 'canary_5', 'pct_25', 'pct_50', 'full']);
export const RolloutStatus = z.enum(['active', 'paused', 'rolled_back', 'completed']);
export const Environment = z.enum(['dev', 'staging', 'production']);
export const ReviewReason = z.enum(['low_confidence', 'escalation', 'shadow_disagreement', 'guardrail', 'random']);
export const ReviewStatus = z.enum(['open', 'in_progress', 'done']);
