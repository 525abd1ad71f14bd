/** Starting a flow (behind the verification gate) and running its steps until it needs the caller. */
import type { FlowDefinition, FlowStep } from '@cc/seed';
import { ANYTHING_ELSE, escalate, finish } from './decisions.ts';
import type { TurnDecision } from './engine-types.ts';
import type { SlotValue } from './ports.ts';
import type { ActionResult } from './resilience.ts';
import { applySlots, extract } from './slot-filling.ts';
import { fillTemplate } from './text.ts';
import { timed, type TurnContext } from './turn-context.ts';

export async function startFlow(t: TurnContext, flowId: string, utterance: string, reason: string, preset: Record<string, SlotValue> = {}, requestTurn?: number): Promise<TurnDecision> {
  const { s } = t;
  const engine = t.engine;
  const flow = engine.flows.get(flowId)!;
  if (engine.requiresAuth(flowId) && s.auth.status !== 'verified') {
    if (s.auth.status === 'locked') return escalate(t, 'authentication_failed');
    // Details already given ("transfer $200 to Abhinav") are kept for after the verification.
    const early: Record<string, SlotValue> = {};
    if (utterance) applySlots(t, flow, await extract(t, flow, utterance, undefined), undefined, early);
    s.auth.collecting = { step: 'account_id', accountId: null, forFlow: flowId, slots: early, requestTurn: s.turn };
    t.parts.push(`I can help you with that. First I need to verify your identity. What is your account ID?`);
    return finish(t, 'ask_slot', 'authentication_required');
  }
  s.flow = null;
  const instance = (s.flowStarts[flowId] ?? 0) + 1;
  s.flowStarts[flowId] = instance;
  s.flow = { id: flowId, instance, stepId: flow.steps[0]!.id, slots: { ...preset }, awaiting: null, startedTurn: requestTurn ?? s.turn };
  s.failures.nonUnderstanding = 0;
  s.failures.outOfScope = 0;
  t.slotsOf = { flowId, slots: s.flow.slots };
  if (utterance) applySlots(t, flow, await extract(t, flow, utterance, undefined), undefined, s.flow.slots);
  t.intent = flowId;
  return advance(t, reason);
}

/** Run the active flow from its current step until it needs the caller or ends. */
export async function advance(t: TurnContext, reason: string): Promise<TurnDecision> {
  const { s } = t;
  const engine = t.engine;
  for (let guard = 0; guard < 100; guard++) {
    const frame = s.flow;
    if (!frame) break;
    const flow = engine.flows.get(frame.id)!;
    const step = engine.flows.step(frame.id, frame.stepId);
    if (!step) throw new Error(`flow ${frame.id} has no step ${frame.stepId}`);
    const next = (st: FlowStep) => {
      const n = engine.flows.following(frame.id, st);
      if (!n) throw new Error(`flow ${frame.id}: step ${st.id} has no next step`);
      frame.stepId = n.id;
    };
    switch (step.kind) {
      case 'collect_slot': {
        if (frame.slots[step.slot] !== undefined) {
          next(step);
          continue;
        }
        if (!step.required) {
          const opt = flow.optional_slots.find((o) => o.name === step.slot);
          if (opt) frame.slots[step.slot] = opt.default;
          next(step);
          continue;
        }
        frame.awaiting = { kind: 'slot', slot: step.slot };
        t.parts.push(fillTemplate(step.prompt, frame.slots));
        return finish(t, t.actionResults.length ? 'run_action' : 'ask_slot', reason === 'slot_filled' || reason.startsWith('intent') || reason.startsWith('flow') || reason.startsWith('candidate') || reason === 'verified' ? `ask_${step.slot}` : reason);
      }
      case 'confirm': {
        fillDefaults(flow, frame.slots);
        frame.awaiting = { kind: 'confirm' };
        t.parts.push(fillTemplate(step.prompt, frame.slots));
        return finish(t, 'confirm', 'confirm_before_action');
      }
      case 'action': {
        fillDefaults(flow, frame.slots);
        const result = await runAction(t, flow, step);
        for (const [k, v] of Object.entries(result.data)) if (v !== undefined && v !== null) frame.slots[k] = v;
        if (result.say) t.parts.push(result.say);
        if (result.ok) {
          if (step.on_success) frame.stepId = step.on_success;
          else next(step);
        } else if (step.on_failure) {
          frame.stepId = step.on_failure;
        } else {
          if (!result.say) t.parts.push('Sorry, I could not complete that step.');
          return escalate(t, `action_failed:${step.action}`);
        }
        continue;
      }
      case 'inform':
        t.parts.push(fillTemplate(step.text, frame.slots));
        next(step);
        continue;
      case 'escalate':
        if (step.text.trim().endsWith('?')) {
          // "Would you like me to transfer you to a colleague?": an offer; "yes" next turn escalates.
          t.parts.push(fillTemplate(step.text, frame.slots));
          s.offeredHuman = true;
          next(step);
          continue;
        }
        t.parts.push(fillTemplate(step.text, frame.slots));
        return escalate(t, step.reason);
      case 'end': {
        s.completedFlows.push({ id: frame.id, outcome: step.outcome, turn: s.turn });
        t.slotsOf = { flowId: frame.id, slots: { ...frame.slots } };
        s.flow = null;
        if (!s.offeredHuman) {
          t.parts.push(ANYTHING_ELSE);
          s.lastPrompt = 'anything_else';
        }
        return finish(t, t.actionResults.length ? 'run_action' : 'say', `flow_${step.outcome}`);
      }
    }
  }
  throw new Error('flow did not reach a step that waits for the caller');
}

function fillDefaults(flow: FlowDefinition, slots: Record<string, SlotValue>): void {
  for (const opt of flow.optional_slots) if (slots[opt.name] === undefined) slots[opt.name] = opt.default;
}

async function runAction(t: TurnContext, flow: FlowDefinition, step: Extract<FlowStep, { kind: 'action' }>): Promise<ActionResult> {
  const { s } = t;
  const frame = s.flow!;
  const params: Record<string, SlotValue> = {};
  const c = s.auth.status === 'verified' ? s.customer : null;
  const context: Record<string, string | null | undefined> = {
    customer_name: c?.fullName,
    account_id: c?.accountId,
    username: c?.username,
    email: c?.email,
    phone: c?.phone,
    membership_level: c?.membershipLevel,
  };
  for (const p of step.params) {
    const v = frame.slots[p] ?? context[p];
    if (v !== undefined && v !== null) params[p] = v;
  }
  const key = frame.instance === 1 ? `${s.callId}:${flow.id}:${step.id}` : `${s.callId}:${flow.id}#${frame.instance}:${step.id}`;
  const result = await timed(t, 'actions', () =>
    t.engine.actions.execute({
      action: step.action,
      params,
      idempotencyKey: key,
      callId: s.callId,
      flowId: flow.id,
      stepId: step.id,
      customerRef: s.auth.status === 'verified' ? s.auth.customerRef : null,
    }),
  );
  t.actionResults.push(result);
  s.actions.push({ turn: s.turn, flowId: flow.id, stepId: step.id, action: step.action, idempotencyKey: key, ok: result.ok, ...(result.error ? { error: result.error } : {}) });
  if (s.actions.length > 100) s.actions.splice(0, s.actions.length - 100);
  return result;
}
