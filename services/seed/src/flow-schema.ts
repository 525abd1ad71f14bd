import { z } from 'zod';

/**
 * One declarative flow definition (data, not code) for both sources:
 * - SGD service intents (slot filling → [confirm] → API action → outcome), and
 * - ABCD subflows (the required agent action sequence, with the guideline policy attached).
 *
 * Steps run in list order unless a step names where to go (`next`, `on_success`/`on_failure`,
 * `on_reject`); an `end` step stops the flow. Prompts may hold `{slot}` placeholders.
 */

export const FLOW_ID_PATTERN = /^[a-z0-9_]+\.[a-z0-9_]+$/;
export const FlowId = z.string().regex(FLOW_ID_PATTERN, 'flow ids look like "banks.transfer_money"');
const StepId = z.string().regex(/^[a-z0-9_.-]+$/);

export const SlotSpecSchema = z.object({
  name: z.string().min(1),
  description: z.string(),
  /** What the agent says to ask for the slot. */
  prompt: z.string().min(1),
  /** Allowed values when the slot is categorical (empty otherwise). */
  values: z.array(z.string()),
  categorical: z.boolean(),
});
export type SlotSpec = z.infer<typeof SlotSpecSchema>;

export const OptionalSlotSchema = SlotSpecSchema.extend({
  /** Used when the caller does not say; "dontcare" means no constraint (SGD convention). */
  default: z.string(),
});
export type OptionalSlot = z.infer<typeof OptionalSlotSchema>;

const base = { id: StepId, next: StepId.optional() };

export const CollectSlotStepSchema = z.object({
  kind: z.literal('collect_slot'),
  ...base,
  slot: z.string().min(1),
  prompt: z.string().min(1),
  required: z.boolean(),
});
export const ConfirmStepSchema = z.object({
  kind: z.literal('confirm'),
  ...base,
  /** Read-back of the values before a transactional action. */
  prompt: z.string().min(1),
  slots: z.array(z.string()),
  /** Where to go when the caller says no (change a value and confirm again). */
  on_reject: StepId,
});
export const ActionStepSchema = z.object({
  kind: z.literal('action'),
  ...base,
  /** SGD: the service method (e.g. "TransferMoney"); ABCD: the agent button (e.g. "pull-up-account"). */
  action: z.string().min(1),
  label: z.string().min(1),
  /** Slot/form fields the action takes. */
  params: z.array(z.string()),
  /** Guideline text for this step (ABCD), as Markdown. */
  policy: z.string().optional(),
  on_success: StepId.optional(),
  on_failure: StepId.optional(),
});
export const InformActKind = z.enum(['offer', 'inform', 'notify_success', 'notify_failure']);
export const InformStepSchema = z.object({
  kind: z.literal('inform'),
  ...base,
  act: InformActKind,
  text: z.string().min(1),
  /** Result slots the message may use. */
  slots: z.array(z.string()),
});
export const EscalateStepSchema = z.object({
  kind: z.literal('escalate'),
  ...base,
  reason: z.string().min(1),
  text: z.string().min(1),
});
export const FlowEndOutcome = z.enum(['success', 'failure', 'completed']);
export const EndStepSchema = z.object({
  kind: z.literal('end'),
  ...base,
  outcome: FlowEndOutcome,
});

export const FlowStepSchema = z.discriminatedUnion('kind', [
  CollectSlotStepSchema,
  ConfirmStepSchema,
  ActionStepSchema,
  InformStepSchema,
  EscalateStepSchema,
  EndStepSchema,
]);
export type FlowStep = z.infer<typeof FlowStepSchema>;
export type StepKind = FlowStep['kind'];

export const ProvenanceSchema = z.object({
  dataset: z.enum(['sgd', 'abcd']),
  licence: z.enum(['CC-BY-SA-4.0', 'MIT']),
  /** Where in the dataset: "Banks_1/TransferMoney", "account_access/recover_password". */
  ref: z.string().min(1),
});
export type Provenance = z.infer<typeof ProvenanceSchema>;

export const FlowPolicySchema = z.object({
  /** Guideline section title, e.g. "Account Access / Recover Password". */
  title: z.string().min(1),
  /** The subflow's guideline text as Markdown. */
  text: z.string().min(1),
  /** The KB article holding the same text. */
  kb_article: z.string().min(1),
});

export const FlowDefinitionSchema = z
  .object({
    id: FlowId,
    source: z.enum(['sgd', 'abcd']),
    /** SGD service name (e.g. "Banks_1") or ABCD flow id (e.g. "account_access"). */
    service: z.string().min(1),
    /** Source intent name: SGD intent ("TransferMoney") or ABCD subflow ("recover_password"). */
    intent: z.string().min(1),
    title: z.string().min(1),
    description: z.string().min(1),
    transactional: z.boolean(),
    required_slots: z.array(SlotSpecSchema),
    optional_slots: z.array(OptionalSlotSchema),
    result_slots: z.array(z.string()),
    /** Names of the action steps in order: the sequence an agent must perform. */
    required_actions: z.array(z.string()).min(1),
    steps: z.array(FlowStepSchema).min(2),
    policy: FlowPolicySchema.optional(),
    provenance: ProvenanceSchema,
  })
  .superRefine((flow, ctx) => {
    const ids = new Set<string>();
    for (const step of flow.steps) {
      if (ids.has(step.id)) ctx.addIssue({ code: 'custom', message: `duplicate step id ${step.id}`, path: ['steps'] });
      ids.add(step.id);
    }
    for (const step of flow.steps) {
      const targets = [step.next, 'on_success' in step ? step.on_success : undefined, 'on_failure' in step ? step.on_failure : undefined, 'on_reject' in step ? step.on_reject : undefined];
      for (const t of targets) if (t !== undefined && !ids.has(t)) ctx.addIssue({ code: 'custom', message: `step ${step.id} points to unknown step ${t}`, path: ['steps'] });
    }
    if (flow.steps.at(-1)?.kind !== 'end') ctx.addIssue({ code: 'custom', message: 'the last step must be an end step', path: ['steps'] });
    const actions = flow.steps.flatMap((s) => (s.kind === 'action' ? [s.action] : []));
    if (JSON.stringify(actions) !== JSON.stringify(flow.required_actions)) ctx.addIssue({ code: 'custom', message: 'required_actions must list the action steps in order', path: ['required_actions'] });
    if (flow.transactional) {
      const confirm = flow.steps.findIndex((s) => s.kind === 'confirm');
      const action = flow.steps.findIndex((s) => s.kind === 'action');
      if (confirm === -1 || confirm > action) ctx.addIssue({ code: 'custom', message: 'a transactional flow confirms before its action', path: ['steps'] });
    }
  });
export type FlowDefinition = z.infer<typeof FlowDefinitionSchema>;
