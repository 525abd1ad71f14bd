import { z } from 'zod';
import { ABCD_AUTHORED_EXAMPLES } from './abcd-examples.ts';
import { buildAbcdFlows, buildSgdFlows, FlowId } from './flows.ts';
import { loadSgdIntentExamples } from './sources.ts';

/**
 * The intent catalog that trains the per-tenant intent classifier: one intent per flow, named by
 * the flow id.
 * - SGD intents: examples are caller utterances from SGD dialogues
 *   (data/sgd/sgd-intent-examples.jsonl, CC BY-SA 4.0), `example_origin: 'sgd_dialogues'`.
 * - ABCD intents: two short utterances per subflow AUTHORED from the guideline text
 *   (src/abcd-examples.ts), `example_origin: 'authored_from_guidelines'` — no ABCD customer
 *   utterances are available (only 3 sample dialogues, which are not used).
 */

export const ExampleOrigin = z.enum(['sgd_dialogues', 'authored_from_guidelines', 'none']);
export type ExampleOrigin = z.infer<typeof ExampleOrigin>;

export const IntentSchema = z.object({
  /** Same as the flow id, e.g. "banks.transfer_money". */
  name: FlowId,
  flow_id: FlowId,
  source: z.enum(['sgd', 'abcd']),
  /** SGD service or ABCD flow. */
  domain: z.string().min(1),
  description: z.string().min(1),
  examples: z.array(z.string().min(1)),
  example_origin: ExampleOrigin,
  licence: z.enum(['CC-BY-SA-4.0', 'MIT']),
});
export type Intent = z.infer<typeof IntentSchema>;

export const IntentCatalogSchema = z
  .array(IntentSchema)
  .superRefine((intents, ctx) => {
    const seen = new Set<string>();
    for (const i of intents) {
      if (seen.has(i.name)) ctx.addIssue({ code: 'custom', message: `duplicate intent ${i.name}` });
      seen.add(i.name);
    }
  });
export type IntentCatalog = z.infer<typeof IntentCatalogSchema>;

export function buildIntentCatalog(): IntentCatalog {
  const examples = loadSgdIntentExamples();
  const sgd: Intent[] = buildSgdFlows().map((flow) => {
    const texts = examples.filter((e) => e.service === flow.service && e.intent === flow.intent).map((e) => e.text);
    return {
      name: flow.id,
      flow_id: flow.id,
      source: 'sgd',
      domain: flow.service,
      description: flow.description,
      examples: texts,
      example_origin: texts.length > 0 ? 'sgd_dialogues' : 'none',
      licence: 'CC-BY-SA-4.0',
    };
  });
  const abcd: Intent[] = buildAbcdFlows().map((flow) => {
    const texts = [...(ABCD_AUTHORED_EXAMPLES[flow.id] ?? [])];
    return {
      name: flow.id,
      flow_id: flow.id,
      source: 'abcd',
      domain: flow.service,
      description: flow.description,
      examples: texts,
      example_origin: texts.length > 0 ? 'authored_from_guidelines' : 'none',
      licence: 'MIT',
    };
  });
  return IntentCatalogSchema.parse([...sgd, ...abcd]);
}
