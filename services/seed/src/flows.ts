import { FlowDefinitionSchema, type FlowDefinition, type FlowStep, type OptionalSlot, type SlotSpec } from './flow-schema.ts';
import { policyByAction, subflowMarkdown, subflowSlug } from './guidelines.ts';
import { readBack, slotPrompt } from './sgd-prompts.ts';
import { abcdSubflows, loadAbcd, loadSgdServices, type AbcdSubflowRef, type SgdIntent, type SgdService } from './sources.ts';
import { humanize, snakeCase } from './util.ts';

export * from './flow-schema.ts';

/** "Banks_1" → "banks", "RentalCars_1" → "rental_cars". */
export function serviceKey(service: string): string {
  return snakeCase(service.replace(/_\d+$/, ''));
}

/** Flow id of an SGD intent: "banks.transfer_money". */
export function sgdFlowId(service: string, intent: string): string {
  return `${serviceKey(service)}.${snakeCase(intent)}`;
}

/** Flow id of an ABCD subflow: "account_access.recover_password". */
export function abcdFlowId(flow: string, subflow: string): string {
  return `${flow}.${subflow}`;
}

function slotSpec(service: SgdService, name: string): SlotSpec {
  const slot = service.slots.find((s) => s.name === name);
  if (!slot) throw new Error(`${service.service_name}: intent uses unknown slot ${name}`);
  return {
    name,
    description: slot.description,
    prompt: slotPrompt(service.service_name, slot),
    values: slot.is_categorical ? slot.possible_values : [],
    categorical: slot.is_categorical,
  };
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function sentence(text: string): string {
  const t = text.trim();
  return /[.!?]$/.test(t) ? t : `${t}.`;
}

/**
 * Steps of an SGD intent: ask each required slot in schema order; for a transactional intent read
 * the values back and confirm; call the service method; then
 * - transactional: notify_success → end(success), or notify_failure → escalate (offer a human
 *   agent) → end(failure);
 * - search/lookup: offer the results → end(completed), or say nothing matched → end(completed).
 */
function sgdSteps(service: SgdService, intent: SgdIntent, required: SlotSpec[]): FlowStep[] {
  const steps: FlowStep[] = required.map((s) => ({ kind: 'collect_slot', id: `collect.${s.name}`, slot: s.name, prompt: s.prompt, required: true }));
  const params = [...intent.required_slots, ...Object.keys(intent.optional_slots)];
  const what = intent.description.charAt(0).toLowerCase() + intent.description.slice(1);
  if (intent.is_transactional) {
    steps.push({
      kind: 'confirm',
      id: 'confirm',
      prompt: `Please confirm: ${what} — ${readBack(params)}. Shall I go ahead?`,
      slots: params,
      on_reject: steps[0]?.id ?? 'confirm',
    });
    steps.push({ kind: 'action', id: 'call', action: intent.name, label: intent.description, params, on_success: 'notify_success', on_failure: 'notify_failure' });
    steps.push({ kind: 'inform', id: 'notify_success', act: 'notify_success', text: `Done: ${sentence(what)}`, slots: intent.result_slots, next: 'end_success' });
    steps.push({ kind: 'inform', id: 'notify_failure', act: 'notify_failure', text: `Sorry, I could not complete that: ${sentence(what)}`, slots: [], next: 'escalate' });
    steps.push({ kind: 'escalate', id: 'escalate', reason: 'transaction_failed', text: 'Would you like me to transfer you to a colleague who can help?', next: 'end_failure' });
    steps.push({ kind: 'end', id: 'end_success', outcome: 'success' });
    steps.push({ kind: 'end', id: 'end_failure', outcome: 'failure' });
  } else {
    steps.push({ kind: 'action', id: 'call', action: intent.name, label: intent.description, params, on_success: 'offer_results', on_failure: 'no_results' });
    steps.push({ kind: 'inform', id: 'offer_results', act: 'offer', text: `Here is what I found for you: ${readBack(intent.result_slots.slice(0, 4))}.`, slots: intent.result_slots, next: 'end' });
    steps.push({ kind: 'inform', id: 'no_results', act: 'inform', text: 'I could not find anything that matches. Would you like to change something?', slots: [], next: 'end' });
    steps.push({ kind: 'end', id: 'end', outcome: 'completed' });
  }
  return steps;
}

/** One flow per intent of every service in SGD_SERVICES, in schema order. Licence: CC BY-SA 4.0. */
export function buildSgdFlows(): FlowDefinition[] {
  return loadSgdServices().flatMap((service) =>
    service.intents.map((intent) => {
      const required = intent.required_slots.map((name) => slotSpec(service, name));
      const optional: OptionalSlot[] = Object.entries(intent.optional_slots).map(([name, def]) => ({ ...slotSpec(service, name), default: def }));
      const steps = sgdSteps(service, intent, required);
      return FlowDefinitionSchema.parse({
        id: sgdFlowId(service.service_name, intent.name),
        source: 'sgd',
        service: service.service_name,
        intent: intent.name,
        title: `${capitalize(humanize(serviceKey(service.service_name)))}: ${capitalize(humanize(snakeCase(intent.name)))}`,
        description: intent.description,
        transactional: intent.is_transactional,
        required_slots: required,
        optional_slots: optional,
        result_slots: intent.result_slots,
        required_actions: [intent.name],
        steps,
        provenance: { dataset: 'sgd', licence: 'CC-BY-SA-4.0', ref: `${service.service_name}/${intent.name}` },
      });
    }),
  );
}

/**
 * One flow per ABCD subflow (55): an action step per kb.json action in the required order, each
 * with the guideline text for its button where the guidelines have one, then end(completed). The
 * whole subflow guideline is attached as `policy` (and published as a KB article with the same
 * slug). ABCD flows have no slot specs: the actions' form fields (ontology.json) are `params`.
 * Licence: MIT.
 */
export function buildAbcdFlows(): FlowDefinition[] {
  const { ontology } = loadAbcd();
  const fields = new Map<string, string[]>();
  for (const group of Object.values(ontology.actions)) for (const [name, f] of Object.entries(group)) fields.set(name, f);
  return abcdSubflows().map((ref) => {
    const policies = policyByAction(ref);
    const steps: FlowStep[] = ref.actions.map((action, i) => {
      const guideline = policies.get(action);
      return {
        kind: 'action',
        id: `${i + 1}.${action}`,
        action,
        label: guideline?.button ?? humanize(action.replace(/-/g, '_')),
        params: fields.get(action) ?? [],
        ...(guideline ? { policy: guideline.markdown } : {}),
      };
    });
    steps.push({ kind: 'end', id: 'end', outcome: 'completed' });
    const slug = subflowSlug(ref.flow, ref.subflow);
    return FlowDefinitionSchema.parse({
      id: abcdFlowId(ref.flow, ref.subflow),
      source: 'abcd',
      service: ref.flow,
      intent: ref.subflow,
      title: `${ref.flowTitle}: ${ref.subflowTitle}`,
      description: abcdDescription(ref),
      transactional: false,
      required_slots: [],
      optional_slots: [],
      result_slots: [],
      required_actions: ref.actions,
      steps,
      policy: { title: `${ref.flowTitle} / ${ref.subflowTitle}`, text: subflowMarkdown(ref), kb_article: slug },
      provenance: { dataset: 'abcd', licence: 'MIT', ref: `${ref.flow}/${ref.subflow}` },
    });
  });
}

/**
 * A one-line description of an ABCD subflow: the guideline's opening sentence when it describes the
 * customer's situation ("The customer wants to upgrade to overnight shipping."), else the subflow
 * title with its flow description.
 */
export function abcdDescription(ref: AbcdSubflowRef): string {
  const opening = (ref.guideline.instructions[0] ?? '').replace(/\s+/g, ' ').trim();
  const first = opening.split(/(?<=[.!?])\s/)[0] ?? '';
  const situational = /\bcustomers?\b/i.test(first) && !first.endsWith(':') && !/^The main effort/i.test(first);
  return situational ? `${ref.subflowTitle}: ${sentence(first)}` : `${ref.subflowTitle} (${ref.flowTitle}: ${ref.flowDescription})`;
}

/** SGD flows then ABCD flows. */
export function buildAllFlows(): FlowDefinition[] {
  return [...buildSgdFlows(), ...buildAbcdFlows()];
}
