/** Caller turns inside a running flow: answering the pending slot question, or the confirmation. */
import { clarify, finish } from './decisions.ts';
import type { TurnDecision } from './engine-types.ts';
import { advance, startFlow } from './flow-runner.ts';
import { governedTurn } from './governed-turns.ts';
import { applySlots, extract } from './slot-filling.ts';
import { fillTemplate, sameValue, yesNo } from './text.ts';
import { classify, type TurnContext } from './turn-context.ts';

export async function slotTurn(t: TurnContext): Promise<TurnDecision> {
  const { s } = t;
  const frame = s.flow!;
  const flow = t.engine.flows.get(frame.id)!;
  const awaiting = frame.awaiting?.kind === 'slot' ? frame.awaiting.slot : undefined;
  const ext = await extract(t, flow, t.text, awaiting);
  const before = { ...frame.slots };
  const { filled, problem } = applySlots(t, flow, ext, awaiting);
  if (problem) {
    // Contradictory values: nothing is guessed; the slot is asked again.
    frame.slots = before;
    delete frame.slots[problem.slot];
    t.slotsOf = { flowId: frame.id, slots: frame.slots };
    const heard = problem.values.length > 1 ? `I heard more than one answer (${problem.values.map((v) => fillTemplate('{v}', { v })).join(' or ')}). ` : "I'm not sure which one you meant. ";
    return clarify(t, 'contradictory_slot_values', heard);
  }
  if (awaiting && filled.includes(awaiting)) {
    s.failures.nonUnderstanding = 0;
    frame.awaiting = null;
    return advance(t, 'slot_filled');
  }
  if (filled.length > 0 && awaiting === undefined) return advance(t, 'slot_filled');
  // Not an answer: maybe a new request, a question, or noise.
  const nlu = await classify(t);
  if (nlu.intent && nlu.intent !== frame.id && !nlu.outOfScope && nlu.confidence >= t.engine.threshold && t.engine.flows.has(nlu.intent)) {
    t.parts.push('Sure, let us do that instead.');
    return startFlow(t, nlu.intent, t.text, 'flow_switched');
  }
  if (filled.length > 0) {
    // Other slots were given (a correction, or details ahead of time): keep them, ask again.
    t.parts.push('Got it.');
    return advance(t, 'slot_filled');
  }
  return governedTurn(t, nlu);
}

export async function confirmTurn(t: TurnContext): Promise<TurnDecision> {
  const { s } = t;
  const frame = s.flow!;
  const flow = t.engine.flows.get(frame.id)!;
  const step = t.engine.flows.step(frame.id, frame.stepId);
  if (!step || step.kind !== 'confirm') {
    frame.awaiting = null;
    return advance(t, 'resume');
  }
  const yn = yesNo(t.text, t.input.dtmf);
  const ext = await extract(t, flow, t.text, undefined);
  const before = { ...frame.slots };
  const { filled, problem } = applySlots(t, flow, ext, undefined);
  const changed = filled.filter((k) => before[k] === undefined || !sameValue(before[k]!, frame.slots[k]!));
  if (problem) {
    frame.slots = before;
    return clarify(t, 'contradictory_slot_values', 'I heard conflicting details. ');
  }
  if (changed.length > 0) {
    // "No, make it 300": apply the correction and read everything back again.
    t.parts.push('Thanks, I have updated that.');
    t.parts.push(fillTemplate(step.prompt, frame.slots));
    s.failures.nonUnderstanding = 0;
    return finish(t, 'confirm', 'slot_corrected');
  }
  if (yn === 'yes') {
    frame.awaiting = null;
    s.failures.nonUnderstanding = 0;
    frame.stepId = t.engine.flows.following(frame.id, step)?.id ?? frame.stepId;
    return advance(t, 'confirmed');
  }
  if (yn === 'no') {
    // Go where the flow says (SGD: back to the first detail) and collect the details again.
    frame.awaiting = null;
    for (const sp of flow.required_slots) delete frame.slots[sp.name];
    for (const sp of flow.optional_slots) delete frame.slots[sp.name];
    frame.stepId = step.on_reject;
    s.failures.nonUnderstanding = 0;
    t.parts.push("No problem, let's go through the details again.");
    return advance(t, 'confirmation_rejected');
  }
  const nlu = await classify(t);
  return governedTurn(t, nlu);
}
