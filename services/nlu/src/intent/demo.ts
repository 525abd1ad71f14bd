/** The demo tenant's intent model: trained from @cc/seed's intent catalog (one intent per flow). */
import { buildIntentCatalog } from '@cc/seed';
import type { IntentExample } from './train.ts';

export const DEMO_MODEL_NAME = 'demo-tenant';
/** Manifest id of the demo tenant's model. */
export const DEMO_MODEL_ID = `intent-${DEMO_MODEL_NAME}`;

export const DEMO_SOURCE =
  'trained by services/nlu (`pnpm -C services/nlu train-demo`) from @cc/seed buildIntentCatalog(): SGD caller utterances (services/seed/data/sgd) and utterances authored from ABCD guidelines (services/seed/src/abcd-examples.ts)';
export const DEMO_LICENCE =
  'CC-BY-SA-4.0 (derived from SGD utterances, share-alike; attribution: Rastogi et al. 2020, Schema-Guided Dialogue) — ABCD-derived part MIT';

/** Every catalog example as {text, intent}, intents named by flow id, in catalog order. */
export function demoExamples(): IntentExample[] {
  return buildIntentCatalog().flatMap((intent) => intent.examples.map((text) => ({ text, intent: intent.name })));
}
