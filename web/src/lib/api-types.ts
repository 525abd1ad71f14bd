/**
 * Response shapes of the platform's Hono API (the console's only backend).
 * Parsed with zod so a contract drift shows up as a clear error instead of a broken page.
 */
import { z } from 'zod';

export const ROLES = ['admin', 'supervisor', 'reviewer', 'agent'] as const;
export const Role = z.enum(ROLES);
export type Role = z.infer<typeof Role>;

/** ISO-8601 timestamp as sent by the API. */
const Timestamp = z.string();

export const User = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  role: Role,
  tenantId: z.string(),
  tenantName: z.string(),
});
export type User = z.infer<typeof User>;

export const UserEnvelope = z.object({ user: User });

export const StoreCheck = z.object({
  ok: z.boolean(),
  driver: z.string(),
  ms: z.number(),
  error: z.string().optional(),
});
export type StoreCheck = z.infer<typeof StoreCheck>;

export const Readiness = z.object({
  status: z.enum(['ready', 'not_ready']),
  checks: z.record(z.string(), StoreCheck),
});
export type Readiness = z.infer<typeof Readiness>;

export const KbArticle = z.object({
  id: z.string(),
  slug: z.string(),
  title: z.string(),
  topic: z.string().nullish(),
  status: z.string(),
  ownerName: z.string().nullish(),
  currentVersion: z.union([z.number(), z.string()]).nullish(),
  lastReviewedAt: Timestamp.nullish(),
  updatedAt: Timestamp,
});
export type KbArticle = z.infer<typeof KbArticle>;
export const KbArticleList = z.object({ items: z.array(KbArticle) });

export const AgentVersion = z.object({
  id: z.string(),
  agentName: z.string(),
  version: z.union([z.string(), z.number()]),
  status: z.string(),
  createdAt: Timestamp,
  publishedAt: Timestamp.nullish(),
  changelog: z.string().nullish(),
});
export type AgentVersion = z.infer<typeof AgentVersion>;
export const AgentVersionList = z.object({ items: z.array(AgentVersion) });

export const Call = z.object({
  id: z.string(),
  connector: z.string(),
  channel: z.string(),
  startedAt: Timestamp,
  endedAt: Timestamp.nullish(),
  outcome: z.string().nullish(),
  agentVersionId: z.string().nullish(),
});
export type Call = z.infer<typeof Call>;
export const CallPage = z.object({ items: z.array(Call), nextCursor: z.string().nullish() });

export const QueueStats = z.object({
  name: z.string(),
  waiting: z.number(),
  active: z.number(),
  delayed: z.number(),
  failed: z.number(),
  completed: z.number(),
  deadLettered: z.number(),
});
export type QueueStats = z.infer<typeof QueueStats>;
export const QueueList = z.object({ queues: z.array(QueueStats) });

export const AuditEntry = z.object({
  id: z.union([z.string(), z.number()]),
  actorType: z.string(),
  actorId: z.string().nullish(),
  action: z.string(),
  entityType: z.string().nullish(),
  entityId: z.string().nullish(),
  createdAt: Timestamp,
  details: z.unknown(),
});
export type AuditEntry = z.infer<typeof AuditEntry>;
export const AuditList = z.object({ items: z.array(AuditEntry) });

/** RFC 9457 problem document. Every field is optional on the wire; readers fill the gaps. */
export const Problem = z.object({
  type: z.string().optional(),
  title: z.string().optional(),
  status: z.number().optional(),
  detail: z.string().optional(),
});
export type Problem = z.infer<typeof Problem>;
