/** The working data of one caller turn, and the stage helpers every turn handler uses. */
import type { DialogueEngine } from './engine.ts';
import type { StageTimings, TurnInput } from './engine-types.ts';
import type { DecisionAuditEvent, DecisionSource, IntentPrediction, KnowledgeCitation, SlotValue } from './ports.ts';
import type { ActionResult } from './resilience.ts';
import type { SessionState } from './state.ts';

/**
 * Per-turn working data; every turn handler takes it first. `s` is a copy of the session state
 * that DialogueSession keeps only when the turn completes without an error.
 */
export interface TurnContext {
  engine: DialogueEngine;
  s: SessionState;
  input: TurnInput;
  text: string;
  started: number;
  timings: StageTimings;
  parts: string[];
  actionResults: ActionResult[];
  intent: string | null;
  confidence: number;
  source: DecisionSource;
  citations?: KnowledgeCitation[];
  audit: Partial<DecisionAuditEvent>;
  /** The flow whose slots the decision reports (kept after the flow ends). */
  slotsOf: { flowId: string; slots: Record<string, SlotValue> } | null;
}

export async function timed<T>(t: TurnContext, stage: keyof StageTimings, fn: () => Promise<T>): Promise<T> {
  const started = t.engine.now.now();
  try {
    return await fn();
  } finally {
    t.timings[stage] += Math.max(0, t.engine.now.now() - started);
  }
}

export async function classify(t: TurnContext): Promise<IntentPrediction> {
  const nlu = await timed(t, 'nlu', async () => {
    const r = await t.engine.deps.intents.classify(t.text);
    return {
      intent: typeof r?.intent === 'string' ? r.intent : null,
      confidence: Number.isFinite(r?.confidence) ? Math.max(0, Math.min(1, r.confidence)) : 0,
      outOfScope: Boolean(r?.outOfScope),
      top: Array.isArray(r?.top) ? r.top.filter((x) => typeof x?.intent === 'string' && Number.isFinite(x.confidence)) : [],
    } satisfies IntentPrediction;
  });
  if (nlu.intent) {
    t.intent = nlu.intent;
    t.confidence = nlu.confidence;
    t.s.lastIntent = { name: nlu.intent, confidence: nlu.confidence };
  } else {
    t.intent = null;
    t.confidence = nlu.confidence;
  }
  return nlu;
}
