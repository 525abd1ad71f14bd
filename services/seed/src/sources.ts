import { readFileSync } from 'node:fs';
import { z } from 'zod';

/**
 * Loaders for the reference files copied into `services/seed/data/` (see data/README.md for
 * sources and licences). Every file is validated with a zod schema of its source format, once.
 */

/** The SGD services the demo tenant uses, in the order flows and intents are listed. */
export const SGD_SERVICES = ['Banks_1', 'Payment_1', 'Flights_1', 'Hotels_1', 'RentalCars_1', 'Buses_1', 'Trains_1', 'Homes_1'] as const;
export type SgdServiceName = (typeof SGD_SERVICES)[number];

/** Schema files (unmodified SGD copies) that together define every service in SGD_SERVICES. */
export const SGD_SCHEMA_FILES = ['sgd/train_schema.json', 'sgd/test_schema.json'] as const;
export const SGD_EXAMPLES_FILE = 'sgd/sgd-intent-examples.jsonl';

export function dataUrl(relative: string): URL {
  return new URL(`../data/${relative}`, import.meta.url);
}

function readData(relative: string): string {
  return readFileSync(dataUrl(relative), 'utf8');
}

// ---- SGD -------------------------------------------------------------------------------------

export const SgdSlotSchema = z.object({
  name: z.string().min(1),
  description: z.string(),
  is_categorical: z.boolean(),
  possible_values: z.array(z.string()),
});
export const SgdIntentSchema = z.object({
  name: z.string().min(1),
  description: z.string(),
  is_transactional: z.boolean(),
  required_slots: z.array(z.string()),
  optional_slots: z.record(z.string(), z.string()),
  result_slots: z.array(z.string()),
});
export const SgdServiceSchema = z.object({
  service_name: z.string().min(1),
  description: z.string(),
  slots: z.array(SgdSlotSchema),
  intents: z.array(SgdIntentSchema),
});
export type SgdSlot = z.infer<typeof SgdSlotSchema>;
export type SgdIntent = z.infer<typeof SgdIntentSchema>;
export type SgdService = z.infer<typeof SgdServiceSchema>;

/** One extracted intent example (a line of data/sgd/sgd-intent-examples.jsonl). */
export const SgdIntentExampleSchema = z.object({
  service: z.string().min(1),
  intent: z.string().min(1),
  text: z.string().min(1),
  split: z.enum(['train', 'dev', 'test']),
  dialogue_id: z.string().min(1),
  turn: z.number().int().min(0),
});
export type SgdIntentExample = z.infer<typeof SgdIntentExampleSchema>;

let sgdServices: SgdService[] | undefined;

/** The schemas of SGD_SERVICES, in that order (a service found in several files must be identical). */
export function loadSgdServices(): SgdService[] {
  if (sgdServices) return sgdServices;
  const byName = new Map<string, SgdService>();
  for (const file of SGD_SCHEMA_FILES) {
    for (const svc of z.array(SgdServiceSchema).parse(JSON.parse(readData(file)))) {
      if (!(SGD_SERVICES as readonly string[]).includes(svc.service_name)) continue;
      const seen = byName.get(svc.service_name);
      if (seen && JSON.stringify(seen) !== JSON.stringify(svc)) throw new Error(`SGD service ${svc.service_name} differs between schema files`);
      byName.set(svc.service_name, svc);
    }
  }
  sgdServices = SGD_SERVICES.map((name) => {
    const svc = byName.get(name);
    if (!svc) throw new Error(`SGD service ${name} not found in ${SGD_SCHEMA_FILES.join(', ')}`);
    return svc;
  });
  return sgdServices;
}

let sgdExamples: SgdIntentExample[] | undefined;

export function loadSgdIntentExamples(): SgdIntentExample[] {
  if (sgdExamples) return sgdExamples;
  sgdExamples = readData(SGD_EXAMPLES_FILE)
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => SgdIntentExampleSchema.parse(JSON.parse(line)));
  return sgdExamples;
}

// ---- ABCD ------------------------------------------------------------------------------------

/** kb.json: subflow → required agent action sequence. */
export const AbcdKbSchema = z.record(z.string(), z.array(z.string().min(1)).min(1));
export type AbcdKb = z.infer<typeof AbcdKbSchema>;

export const AbcdGuidelineActionSchema = z.object({
  type: z.string(),
  button: z.string(),
  text: z.string(),
  subtext: z.array(z.string()),
});
export const AbcdGuidelineSubflowSchema = z.object({
  actions: z.array(AbcdGuidelineActionSchema),
  instructions: z.array(z.string()),
});
export const AbcdGuidelinesSchema = z.record(
  z.string(),
  z.object({ description: z.string(), subflows: z.record(z.string(), AbcdGuidelineSubflowSchema) }),
);
export type AbcdGuidelineAction = z.infer<typeof AbcdGuidelineActionSchema>;
export type AbcdGuidelineSubflow = z.infer<typeof AbcdGuidelineSubflowSchema>;
export type AbcdGuidelines = z.infer<typeof AbcdGuidelinesSchema>;

export const AbcdOntologySchema = z.object({
  intents: z.object({ flows: z.array(z.string()), subflows: z.record(z.string(), z.array(z.string())) }),
  actions: z.record(z.string(), z.record(z.string(), z.array(z.string()))),
  values: z.object({
    enumerable: z.record(z.string(), z.array(z.string())),
    non_enumerable: z.record(z.string(), z.array(z.string())),
  }),
  next_steps: z.array(z.string()),
});
export type AbcdOntology = z.infer<typeof AbcdOntologySchema>;

let abcd: { kb: AbcdKb; guidelines: AbcdGuidelines; ontology: AbcdOntology } | undefined;

export function loadAbcd(): { kb: AbcdKb; guidelines: AbcdGuidelines; ontology: AbcdOntology } {
  abcd ??= {
    kb: AbcdKbSchema.parse(JSON.parse(readData('abcd/kb.json'))),
    guidelines: AbcdGuidelinesSchema.parse(JSON.parse(readData('abcd/guidelines.json'))),
    ontology: AbcdOntologySchema.parse(JSON.parse(readData('abcd/ontology.json'))),
  };
  return abcd;
}

/** An ABCD subflow with its flow (ontology ids) and its guideline section (display names). */
export interface AbcdSubflowRef {
  flow: string;
  subflow: string;
  flowTitle: string;
  flowDescription: string;
  subflowTitle: string;
  guideline: AbcdGuidelineSubflow;
  actions: string[];
}

/** ontology flow id → guidelines.json flow title. */
const FLOW_TITLES: Record<string, string> = {
  product_defect: 'Product Defect',
  order_issue: 'Order Issue',
  account_access: 'Account Access',
  troubleshoot_site: 'Troubleshoot Site',
  manage_account: 'Manage Account',
  purchase_dispute: 'Purchase Dispute',
  shipping_issue: 'Shipping Issue',
  subscription_inquiry: 'Subscription Inquiry',
  single_item_query: 'Single-Item Query',
  storewide_query: 'Storewide Query',
};

/**
 * Every ABCD subflow, joined across the three files. guidelines.json names subflows for display
 * ("Reset Two-Factor Auth") and lists them in the same order as ontology.json's ids ("reset_2fa");
 * the join is by flow title and position, and fails loudly if the counts disagree.
 */
export function abcdSubflows(): AbcdSubflowRef[] {
  const { kb, guidelines, ontology } = loadAbcd();
  const out: AbcdSubflowRef[] = [];
  for (const flow of ontology.intents.flows) {
    const flowTitle = FLOW_TITLES[flow];
    const section = flowTitle ? guidelines[flowTitle] : undefined;
    if (!flowTitle || !section) throw new Error(`ABCD flow ${flow} has no guidelines section`);
    const ids = ontology.intents.subflows[flow] ?? [];
    const titled = Object.entries(section.subflows);
    if (titled.length !== ids.length) throw new Error(`ABCD flow ${flow}: ${ids.length} subflows in ontology, ${titled.length} in guidelines`);
    ids.forEach((subflow, i) => {
      const [subflowTitle, guideline] = titled[i]!;
      const actions = kb[subflow];
      if (!actions) throw new Error(`ABCD subflow ${subflow} missing from kb.json`);
      out.push({ flow, subflow, flowTitle, flowDescription: section.description, subflowTitle, guideline, actions });
    });
  }
  return out;
}
