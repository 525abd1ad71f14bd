import { AgentVersionStatus, Role } from '@cc/core';
import { z } from 'zod';
import { CustomersSchema, buildCustomers } from './customers.ts';
import { buildAllFlows, FlowDefinitionSchema, type FlowDefinition } from './flows.ts';
import { IntentCatalogSchema, buildIntentCatalog } from './intents.ts';
import { DEMO_REFERENCE_DATE, KbArticlesSchema, buildKbArticles, kbSnapshotHash } from './kb-articles.ts';
import { contentHash } from './util.ts';

/**
 * Everything the demo tenant starts with, as plain data for the seeder to write through the
 * repositories. Top-level records use the @cc/store column names (camelCase); the jsonb contents
 * (flows, intents) keep the snake_case of their sources.
 */

const Sha256 = z.string().regex(/^[0-9a-f]{64}$/);

export const DemoUserSchema = z.object({
  email: z.email(),
  name: z.string().min(1),
  role: Role,
});
export type DemoUser = z.infer<typeof DemoUserSchema>;

export const AgentPromptsSchema = z.object({
  system: z.string().min(1),
  greeting: z.string().min(1),
  fallback: z.string().min(1),
  escalation: z.string().min(1),
});
export type AgentPrompts = z.infer<typeof AgentPromptsSchema>;

export const AgentVersionDefinitionSchema = z.object({
  agentName: z.string().min(1),
  version: z.string().regex(/^\d+\.\d+\.\d+$/),
  status: AgentVersionStatus,
  /** Flow definitions keyed by flow id (the agent_versions.flows jsonb). */
  flows: z.record(z.string(), FlowDefinitionSchema),
  intents: IntentCatalogSchema,
  thresholds: z.record(z.string(), z.number().min(0).max(1)),
  modelIds: z.object({ llm: z.string().min(1), asr: z.string().min(1), tts: z.string().min(1), intent: z.string().min(1) }),
  prompts: AgentPromptsSchema,
  /** sha256 of the canonical JSON of `prompts` (agent_versions.prompt_hash). */
  promptHash: Sha256,
  /** sha256 of the canonical JSON of the KB snapshot (agent_versions.kb_snapshot_hash). */
  kbSnapshotHash: Sha256,
  /** sha256 of the canonical JSON of `flows`. */
  flowsHash: Sha256,
  /** sha256 of the canonical JSON of `intents`. */
  intentsHash: Sha256,
  changelog: z.string(),
});
export type AgentVersionDefinition = z.infer<typeof AgentVersionDefinitionSchema>;

export const DemoTenantSchema = z.object({
  tenant: z.object({ slug: z.literal('demo'), name: z.string().min(1) }),
  users: z.array(DemoUserSchema).min(1),
  /** How the seeder must handle passwords (none are defined here). */
  passwordNote: z.string().min(1),
  agentVersion: AgentVersionDefinitionSchema,
  kbArticles: KbArticlesSchema,
  customers: CustomersSchema,
});
export type DemoTenant = z.infer<typeof DemoTenantSchema>;

export const DEMO_THRESHOLDS = { intent_confidence: 0.6 } as const;
// `intent` is the manifest id of the demo tenant's intent model (models/manifest.json, trained by @cc/nlu).
export const DEMO_MODEL_IDS = { llm: 'claude-sonnet-4-5', asr: 'pocketsphinx-en-us', tts: 'flite-slt', intent: 'intent-demo-tenant' } as const;

export const DEMO_PROMPTS: AgentPrompts = {
  system: [
    'You are the voice assistant of the AcmeCorp contact center. You help callers with their orders,',
    'accounts, subscriptions and returns, and with bookings and payments (banking, flights, hotels,',
    'rental cars, buses, trains and apartment viewings).',
    'Follow the active flow: ask for one missing detail at a time, read details back and get a clear',
    '"yes" before any transaction, and perform the required actions in order.',
    'Answer policy questions only from the knowledge-base articles you are given; if they do not',
    'cover the question, say so and offer a human agent. Never invent prices, fees or deadlines.',
    'Keep replies short and spoken-friendly. Do not read out full account numbers.',
  ].join(' '),
  greeting: 'Thank you for calling AcmeCorp. How can I help you today?',
  fallback: "Sorry, I didn't quite get that. Could you say it another way?",
  escalation: 'Let me connect you with a colleague who can help. Please stay on the line.',
};

export const DEMO_USERS: readonly DemoUser[] = Role.options.map((role) => ({
  email: `${role}@demo.local`,
  name: `Demo ${role.charAt(0).toUpperCase()}${role.slice(1)}`,
  role,
}));

export interface DemoTenantOptions {
  /** Reference date for KB review ages and order dates (default DEMO_REFERENCE_DATE); pass `new Date()` when seeding. */
  asOf?: Date;
  customerCount?: number;
  customerSeed?: number;
}

export function buildDemoTenant(options: DemoTenantOptions = {}): DemoTenant {
  const asOf = options.asOf ?? new Date(DEMO_REFERENCE_DATE);
  const flowList: FlowDefinition[] = buildAllFlows();
  const flows = Object.fromEntries(flowList.map((f) => [f.id, f]));
  const intents = buildIntentCatalog();
  const kbArticles = buildKbArticles({ asOf });
  const sgdCount = flowList.filter((f) => f.source === 'sgd').length;
  return DemoTenantSchema.parse({
    tenant: { slug: 'demo', name: 'AcmeCorp (demo)' },
    users: DEMO_USERS,
    passwordNote: 'No passwords here: the seeder generates a random password per user at seed time, stores only its hash, and shows the plain password once.',
    agentVersion: {
      agentName: 'demo-agent',
      version: '1.0.0',
      status: 'published',
      flows,
      intents,
      thresholds: { ...DEMO_THRESHOLDS },
      modelIds: { ...DEMO_MODEL_IDS },
      prompts: DEMO_PROMPTS,
      promptHash: contentHash(DEMO_PROMPTS),
      kbSnapshotHash: kbSnapshotHash(kbArticles),
      flowsHash: contentHash(flows),
      intentsHash: contentHash(intents),
      changelog: `Initial demo agent: ${sgdCount} SGD flows (CC BY-SA 4.0) and ${flowList.length - sgdCount} ABCD flows (MIT), ${intents.length} intents, ${kbArticles.length} KB articles.`,
    },
    kbArticles,
    customers: buildCustomers(options.customerCount ?? 200, options.customerSeed ?? 1, { asOf }),
  });
}
