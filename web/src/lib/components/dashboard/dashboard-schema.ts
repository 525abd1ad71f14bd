/** Zod contract of `GET /v1/dashboard` (server side only: keeps zod out of the browser bundle). */
import { z } from 'zod';

const Rate = z.number().nullable();

export const Dashboard = z.object({
  range: z.object({ from: z.string(), to: z.string() }),
  agentVersion: z.string().nullable(),
  totals: z.object({
    calls: z.number(),
    ended: z.number(),
    contained: z.number(),
    escalated: z.number(),
    abandoned: z.number(),
    containmentRate: Rate,
    escalationRate: Rate,
    abandonmentRate: Rate,
    intentScored: z.number(),
    intentAccuracy: Rate,
    p95LatencyMs: z.number().nullable(),
    costPerCallUsd: z.number().nullable(),
    costedCalls: z.number(),
  }),
  outcomesPerDay: z.array(
    z.object({ day: z.string(), ended: z.number(), contained: z.number(), escalated: z.number(), abandoned: z.number(), containmentRate: Rate, escalationRate: Rate, abandonmentRate: Rate }),
  ),
  volumePerDay: z.array(z.object({ day: z.string(), calls: z.number() })),
  intentAccuracy: z.array(z.object({ intent: z.string(), scored: z.number(), correct: z.number(), accuracy: z.number() })),
  stageLatency: z.array(z.object({ stage: z.string(), samples: z.number(), p50Ms: z.number(), p95Ms: z.number() })),
  versions: z.array(z.object({ agentVersion: z.string(), ended: z.number(), containmentRate: Rate, escalationRate: Rate, abandonmentRate: Rate })),
});
export type Dashboard = z.infer<typeof Dashboard>;

