import { pgEnum } from 'drizzle-orm/pg-core';
import { z } from 'zod';
import {
  AgentVersionStatus,
  ArticleStatus,
  CallOutcome,
  Channel,
  Connector,
  Environment,
  ReviewReason,
  ReviewStatus,
  Role,
  RolloutStage,
  RolloutStatus,
} from '@cc/core/domain/enums';

/** Who wrote an audit entry. Only the store uses it, so it is defined here rather than in core. */
export const AuditActorType = z.enum(['user', 'api_key', 'system']);
export type AuditActorType = z.infer<typeof AuditActorType>;

/** The zod enums in @cc/core are the single source of enum values; Postgres enums mirror them. */
function pgEnumFrom<const V extends string>(name: string, zodEnum: { options: V[] }) {
  const [first, ...rest] = zodEnum.options;
  if (first === undefined) throw new Error(`enum ${name} has no values`);
  return pgEnum(name, [first, ...rest]);
}

export const userRole = pgEnumFrom('user_role', Role);
export const agentVersionStatus = pgEnumFrom('agent_version_status', AgentVersionStatus);
export const environment = pgEnumFrom('environment', Environment);
export const rolloutStage = pgEnumFrom('rollout_stage', RolloutStage);
export const rolloutStatus = pgEnumFrom('rollout_status', RolloutStatus);
export const articleStatus = pgEnumFrom('article_status', ArticleStatus);
export const channel = pgEnumFrom('channel', Channel);
export const connector = pgEnumFrom('connector', Connector);
export const callOutcome = pgEnumFrom('call_outcome', CallOutcome);
export const reviewReason = pgEnumFrom('review_reason', ReviewReason);
export const reviewStatus = pgEnumFrom('review_status', ReviewStatus);
export const auditActorType = pgEnumFrom('audit_actor_type', AuditActorType);
