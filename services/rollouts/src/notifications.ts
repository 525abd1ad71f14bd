import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { Environment, RolloutStage } from '@cc/core';
import { GuardrailCheck } from './guardrails.ts';

/**
 * Console notifications go out on Redis pub/sub, one channel per tenant: `cc:notifications:<tenantId>`.
 * Each message is one JSON document matching ConsoleNotification (discriminated by `type`).
 */
export const NOTIFICATION_CHANNEL_PREFIX = 'cc:notifications:';
export const notificationChannel = (tenantId: string) => `${NOTIFICATION_CHANNEL_PREFIX}${tenantId}`;

const Id = z.guid();

export const RolloutRolledBackNotification = z
  .object({
    type: z.literal('rollout.rolled_back'),
    /** Unique per notification, so a console can drop duplicates. */
    id: Id,
    tenantId: Id,
    at: z.iso.datetime(),
    severity: z.literal('critical'),
    title: z.string().min(1).max(200),
    message: z.string().min(1).max(4000),
    rollout: z.object({
      id: Id,
      name: z.string(),
      environment: Environment,
      stage: RolloutStage,
      baselineVersionId: Id,
      candidateVersionId: Id,
    }),
    /** Who rolled back: the guardrail checker (system) — a person's rollback is in the audit log, not notified. */
    actor: z.object({ type: z.literal('system'), id: z.string() }),
    breaches: z.array(GuardrailCheck).min(1),
  })
  .strict();
export type RolloutRolledBackNotification = z.infer<typeof RolloutRolledBackNotification>;

export const ConsoleNotification = z.discriminatedUnion('type', [RolloutRolledBackNotification]);
export type ConsoleNotification = z.infer<typeof ConsoleNotification>;

/** The one Redis call notifications need (ioredis' Redis has it). */
export interface Publisher {
  publish(channel: string, message: string): Promise<number>;
}

/** Validate and publish; resolves to the number of subscribers that received it. */
export async function publishNotification(redis: Publisher, notification: ConsoleNotification): Promise<number> {
  const message = ConsoleNotification.parse(notification);
  return redis.publish(notificationChannel(message.tenantId), JSON.stringify(message));
}

export function rolledBackNotification(args: {
  rollout: RolloutRolledBackNotification['rollout'] & { tenantId: string };
  breaches: GuardrailCheck[];
  actorId: string;
  at: Date;
}): RolloutRolledBackNotification {
  const { rollout } = args;
  return {
    type: 'rollout.rolled_back',
    id: randomUUID(),
    tenantId: rollout.tenantId,
    at: args.at.toISOString(),
    severity: 'critical',
    title: `Rollout "${rollout.name}" rolled back automatically`.slice(0, 200),
    message: `All ${rollout.environment} traffic is back on the control version: ${args.breaches.map((b) => b.detail).join('; ')}`.slice(0, 4000),
    rollout: {
      id: rollout.id,
      name: rollout.name,
      environment: rollout.environment,
      stage: rollout.stage,
      baselineVersionId: rollout.baselineVersionId,
      candidateVersionId: rollout.candidateVersionId,
    },
    actor: { type: 'system', id: args.actorId },
    breaches: args.breaches,
  };
}
