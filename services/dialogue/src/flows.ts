import { ValidationError, zodIssues, type FieldIssue } from '@cc/core';
import { FlowDefinitionSchema, type FlowDefinition, type FlowStep } from '@cc/seed';

/**
 * The flow definitions of one agent version, validated at load. A flow that names a missing
 * action, slot or step is rejected with an error naming the flow and the field, e.g.
 * `banks.transfer_money: steps[4].action: action "TransferMony" is not known to the action runner`.
 */

export interface FlowCatalogOptions {
  /** Actions the action runner knows; when given, every action step must name one of them. */
  actions?: readonly string[];
}

const PLACEHOLDER = /\{([a-z0-9_]+)\}/gi;

export function placeholders(template: string): string[] {
  return [...template.matchAll(PLACEHOLDER)].map((m) => m[1]!);
}

/** Slots a flow declares: required, optional and result slots. */
export function declaredSlots(flow: FlowDefinition): Set<string> {
  return new Set([...flow.required_slots.map((s) => s.name), ...flow.optional_slots.map((s) => s.name), ...flow.result_slots]);
}

function stepTargets(step: FlowStep): [string, string | undefined][] {
  const out: [string, string | undefined][] = [['next', step.next]];
  if (step.kind === 'action') out.push(['on_success', step.on_success], ['on_failure', step.on_failure]);
  if (step.kind === 'confirm') out.push(['on_reject', step.on_reject]);
  return out;
}

/** Problems with one (schema-valid) flow, each naming its field. */
export function checkFlow(flow: FlowDefinition, options: FlowCatalogOptions = {}): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const at = (field: string, message: string) => issues.push({ path: `${flow.id}: ${field}`, message });
  const ids = new Set(flow.steps.map((s) => s.id));
  const slots = declaredSlots(flow);
  const hasSlotSpecs = slots.size > 0;
  const knownActions = options.actions ? new Set(options.actions) : null;
  flow.steps.forEach((step, i) => {
    const f = `steps[${i}] (${step.id})`;
    for (const [name, target] of stepTargets(step)) {
      if (target !== undefined && !ids.has(target)) at(`${f}.${name}`, `points to missing step "${target}"`);
    }
    const slotRefs: [string, string][] = [];
    if (step.kind === 'collect_slot') slotRefs.push(['slot', step.slot], ...placeholders(step.prompt).map((p): [string, string] => ['prompt', p]));
    if (step.kind === 'confirm') slotRefs.push(...step.slots.map((s, k): [string, string] => [`slots[${k}]`, s]), ...placeholders(step.prompt).map((p): [string, string] => ['prompt', p]));
    if (step.kind === 'inform') slotRefs.push(...step.slots.map((s, k): [string, string] => [`slots[${k}]`, s]), ...placeholders(step.text).map((p): [string, string] => ['text', p]));
    if (step.kind === 'escalate') slotRefs.push(...placeholders(step.text).map((p): [string, string] => ['text', p]));
    // ABCD flows declare no slots: their action params are form fields filled from the account context.
    if (step.kind === 'action' && hasSlotSpecs) slotRefs.push(...step.params.map((p, k): [string, string] => [`params[${k}]`, p]));
    for (const [field, slot] of slotRefs) if (!slots.has(slot)) at(`${f}.${field}`, `refers to missing slot "${slot}"`);
    if (step.kind === 'action' && knownActions && !knownActions.has(step.action)) at(`${f}.action`, `action "${step.action}" is not known to the action runner`);
  });
  for (const [k, slot] of flow.required_slots.entries()) {
    if (!flow.steps.some((s) => s.kind === 'collect_slot' && s.slot === slot.name)) at(`required_slots[${k}]`, `slot "${slot.name}" has no collect_slot step`);
  }
  return issues;
}

export class FlowCatalog {
  private readonly byId: ReadonlyMap<string, FlowDefinition>;
  private readonly steps: ReadonlyMap<string, ReadonlyMap<string, FlowStep>>;

  private constructor(flows: FlowDefinition[]) {
    this.byId = new Map(flows.map((f) => [f.id, f]));
    this.steps = new Map(flows.map((f) => [f.id, new Map(f.steps.map((s) => [s.id, s]))]));
  }

  /**
   * Validate and load flow definitions: a record keyed by flow id (agent_versions.flows) or a list.
   * Throws a ValidationError listing every problem, each naming its flow and field.
   */
  static load(input: unknown, options: FlowCatalogOptions = {}): FlowCatalog {
    const issues: FieldIssue[] = [];
    const entries: [string, unknown][] = Array.isArray(input)
      ? input.map((f, i) => [typeof f === 'object' && f !== null && typeof (f as { id?: unknown }).id === 'string' ? (f as { id: string }).id : `#${i}`, f])
      : typeof input === 'object' && input !== null
        ? Object.entries(input)
        : [];
    if (entries.length === 0) throw new ValidationError('flow definitions', [{ path: '', message: 'expected at least one flow (a record keyed by flow id or a list)' }]);
    const flows: FlowDefinition[] = [];
    for (const [key, raw] of entries) {
      const parsed = FlowDefinitionSchema.safeParse(raw);
      if (!parsed.success) {
        for (const issue of zodIssues(parsed.error)) issues.push({ path: `${key}: ${issue.path || '(root)'}`, message: issue.message });
        continue;
      }
      const flow = parsed.data;
      if (!Array.isArray(input) && key !== flow.id) issues.push({ path: `${key}: id`, message: `the flow is stored under "${key}" but its id is "${flow.id}"` });
      issues.push(...checkFlow(flow, options));
      flows.push(flow);
    }
    const dup = flows.map((f) => f.id).filter((id, i, all) => all.indexOf(id) !== i);
    for (const id of new Set(dup)) issues.push({ path: `${id}: id`, message: 'duplicate flow id' });
    if (issues.length > 0) {
      const err = new ValidationError('flow definitions', issues);
      if (issues.length > 10) {
        const shown = issues.slice(0, 10).map((i) => `${i.path}: ${i.message}`);
        err.message = `Invalid flow definitions: ${shown.join('; ')}; and ${issues.length - 10} more problems (see issues)`;
      }
      throw err;
    }
    return new FlowCatalog(flows);
  }

  get(id: string): FlowDefinition | undefined {
    return this.byId.get(id);
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  list(): FlowDefinition[] {
    return [...this.byId.values()];
  }

  get size(): number {
    return this.byId.size;
  }

  step(flowId: string, stepId: string): FlowStep | undefined {
    return this.steps.get(flowId)?.get(stepId);
  }

  /** The step that runs after `step` when it names no target: the next one in list order. */
  following(flowId: string, step: FlowStep): FlowStep | undefined {
    if (step.next) return this.step(flowId, step.next);
    const flow = this.byId.get(flowId);
    if (!flow) return undefined;
    const i = flow.steps.findIndex((s) => s.id === step.id);
    return flow.steps[i + 1];
  }
}
