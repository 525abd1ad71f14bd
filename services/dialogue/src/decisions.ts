/** Decision builders: what the agent says back, re-asks, escalations and the finished TurnDecision. */
import type { DecisionKind, TurnDecision } from './engine-types.ts';
import { buildHandoffPackage } from './handoff.ts';
import { fillTemplate, type InputProblem } from './text.ts';
import type { TurnContext } from './turn-context.ts';

export const ANYTHING_ELSE = 'Is there anything else I can help you with?';

export function currentPrompt(t: TurnContext): string | null {
  const { s } = t;
  if (s.auth.collecting) return s.auth.collecting.step === 'zip' ? 'What is the ZIP code on your account?' : s.auth.collecting.step === 'otp' ? 'Please read me the one-time code.' : 'What is your account ID?';
  const frame = s.flow;
  if (!frame?.awaiting) return null;
  const step = t.engine.flows.step(frame.id, frame.stepId);
  if (!step) return null;
  if (step.kind === 'collect_slot') return fillTemplate(step.prompt, frame.slots);
  if (step.kind === 'confirm') return fillTemplate(step.prompt, frame.slots);
  return null;
}

export function reprompt(t: TurnContext, reason: string): TurnDecision {
  const again = currentPrompt(t);
  if (again) t.parts.push(again);
  const kind: DecisionKind = t.s.flow?.awaiting?.kind === 'confirm' ? 'confirm' : 'ask_slot';
  return finish(t, kind, reason);
}

/** Ask again (counts toward the non-understanding limit): a lead, then the question (default: the pending prompt). */
export function clarify(t: TurnContext, reason: string, lead: string, question?: string | null): TurnDecision {
  const { s } = t;
  s.failures.nonUnderstanding++;
  s.failures.total++;
  if (s.failures.nonUnderstanding >= t.engine.options.maxNonUnderstanding) return escalate(t, 'repeated_non_understanding');
  const pending = currentPrompt(t);
  const ask = question === null ? null : (question ?? pending ?? t.engine.prompts.fallback);
  t.parts.push(lead);
  if (ask && ask !== pending) t.parts.push(ask);
  // A pending confirmation is never left silently: it is always asked again.
  if (s.flow?.awaiting?.kind === 'confirm' && pending) t.parts.push('Please answer yes or no.', pending);
  else if (ask && ask === pending) t.parts.push(ask);
  return finish(t, 'clarify', reason);
}

export function notUnderstood(t: TurnContext, problem: InputProblem): TurnDecision {
  const lead: Record<InputProblem, string> = {
    no_input: "Sorry, I didn't hear anything.",
    too_long: 'Sorry, that was a lot at once. Could you tell me in a few words?',
    unsupported_language: 'Sorry, I can only help in English.',
    not_understood: "Sorry, I didn't understand that.",
    low_asr_confidence: 'Sorry, the line is not very clear.',
  };
  const pending = currentPrompt(t);
  const question = pending ?? (problem === 'too_long' ? null : problem === 'not_understood' ? t.engine.prompts.fallback : 'How can I help you today?');
  return clarify(t, problem, lead[problem], question);
}

/** The mean of the last `window` scores is at or below the threshold and not improving. */
export function sentimentFalling(t: TurnContext): boolean {
  const { s } = t;
  const { window, threshold, minTurns } = t.engine.options.sentiment;
  const w = s.sentiment.slice(-window);
  if (w.length < minTurns) return false;
  const mean = w.reduce((a, b) => a + b, 0) / w.length;
  return mean <= threshold && w.at(-1)! <= w[0]! + 0.05;
}

export function escalate(t: TurnContext, reason: string, text?: string): TurnDecision {
  const { s } = t;
  s.status = 'escalated';
  s.escalation = { reason, turn: s.turn };
  s.offeredHuman = false;
  s.candidateFlow = null;
  t.parts.push(text ?? t.engine.prompts.escalation);
  const decision = finish(t, 'escalate', reason);
  decision.handoff = buildHandoffPackage(s, { flows: t.engine.flows, redactor: t.engine.redact, now: new Date(t.engine.now.now()), reason });
  return decision;
}

export function finish(t: TurnContext, kind: DecisionKind, reason: string, text?: string): TurnDecision {
  const { s } = t;
  if (text) t.parts.push(text);
  const spoken = t.parts.filter((p) => p.trim()).join(' ').replace(/\s+/g, ' ').trim();
  s.transcript.push({ turn: s.turn, speaker: 'agent', text: t.engine.redact.redact(spoken) });
  const limit = t.engine.options.transcriptLimit;
  if (s.transcript.length > limit) s.transcript.splice(0, s.transcript.length - limit);
  t.timings.total = Math.max(0, t.engine.now.now() - t.started);
  const slots = s.flow ? s.flow.slots : (t.slotsOf?.slots ?? {});
  return {
    kind,
    text: spoken,
    ...(t.citations ? { citations: t.citations } : {}),
    intent: t.intent,
    confidence: t.confidence,
    slots: { ...slots },
    actionResults: t.actionResults,
    reason,
    source: t.source,
    flowId: s.flow?.id ?? t.slotsOf?.flowId ?? null,
    turn: s.turn,
    timings: { ...t.timings },
  };
}
