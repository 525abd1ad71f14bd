/**
 * Per-call scoring rules used by the evaluation processors. They are pure, and documented with every
 * other KPI in evals/src/metrics/definitions.ts (which re-exports them): keep the two in step.
 */

/** Decision kinds of the dialogue engine (services/dialogue `DecisionKind`). */
export type EvalDecisionKind = 'say' | 'ask_slot' | 'confirm' | 'run_action' | 'answer' | 'clarify' | 'escalate' | 'end';

export type CallOutcome = 'contained' | 'escalated' | 'abandoned';

/** Kinds that leave the agent waiting for the caller: a call that ends on one was abandoned. */
const AWAITING: ReadonlySet<string> = new Set(['ask_slot', 'confirm', 'clarify']);
/** Kinds that resolve something for the caller (an action ran, a KB answer was given, the call closed). */
const RESOLVING: ReadonlySet<string> = new Set(['run_action', 'answer', 'end']);

export interface CallOutcomeResult {
  outcome: CallOutcome;
  /** Contained and something was resolved: the first-contact-resolution numerator. */
  resolved: boolean;
  reason: string;
}

/**
 * Outcome of one call from the agent's decision kinds, in order:
 * - **escalated** — any decision escalated to a human (the reason is the decision's reason);
 * - **abandoned** — not escalated, and the last decision left the agent waiting for the caller
 *   (ask_slot / confirm / clarify) when the caller stopped talking, or the agent never answered;
 * - **contained** — otherwise: the agent finished the conversation itself.
 * `resolved` (first-contact resolution) = contained and at least one decision ran an action,
 * answered from the KB or ended the call.
 */
export function classifyCallOutcome(decisions: ReadonlyArray<{ kind: string; reason?: string }>): CallOutcomeResult {
  const escalation = decisions.find((d) => d.kind === 'escalate');
  if (escalation) return { outcome: 'escalated', resolved: false, reason: escalation.reason || 'escalate' };
  const last = decisions.at(-1);
  if (!last) return { outcome: 'abandoned', resolved: false, reason: 'no agent decision' };
  if (AWAITING.has(last.kind)) return { outcome: 'abandoned', resolved: false, reason: `caller left while the agent was at ${last.kind}` };
  const resolved = decisions.some((d) => RESOLVING.has(d.kind));
  return { outcome: 'contained', resolved, reason: resolved ? 'resolved' : 'contained without resolution' };
}

/** USD prices; every field has a default (a typical cloud list price, late 2025). */
export interface Prices {
  asrPerMinute: number;
  ttsPerMinute: number;
  llmInputPer1kTokens: number;
  llmOutputPer1kTokens: number;
  perTurnCompute: number;
}

export const DEFAULT_PRICES: Prices = {
  asrPerMinute: 0.006,
  ttsPerMinute: 0.015,
  llmInputPer1kTokens: 0.003,
  llmOutputPer1kTokens: 0.015,
  perTurnCompute: 0.0001,
};

/** Speaking rate used to turn text into audio seconds (≈ 150 words a minute). */
export const CHARS_PER_SECOND = 15;
/** Rough tokenisation: characters per LLM token. */
export const CHARS_PER_TOKEN = 4;
/** Prompt tokens assumed per LLM-decided turn (system prompt, flow state, history). */
export const LLM_PROMPT_TOKENS = 800;

export interface CostTurn {
  callerChars: number;
  agentChars: number;
  /** The decision came from the LLM (decision.source === 'llm'): its tokens are paid for. */
  llm: boolean;
}

export interface CallCost {
  usd: number;
  asrSeconds: number;
  ttsSeconds: number;
  llmInputTokens: number;
  llmOutputTokens: number;
  turns: number;
}

/**
 * Cost of one conversation: ASR seconds (caller speech) × ASR price + TTS seconds (agent speech) ×
 * TTS price + LLM input/output tokens × token prices + turns × per-turn compute. A text replay has no
 * audio, so audio seconds are estimated from the text at CHARS_PER_SECOND: the figure is what the
 * same conversation would cost on the voice channel.
 */
export function callCost(turns: ReadonlyArray<CostTurn>, prices: Partial<Prices> = {}): CallCost {
  const p = { ...DEFAULT_PRICES, ...Object.fromEntries(Object.entries(prices).filter(([, v]) => v !== undefined)) } as Prices;
  let asrSeconds = 0;
  let ttsSeconds = 0;
  let llmInputTokens = 0;
  let llmOutputTokens = 0;
  for (const t of turns) {
    asrSeconds += t.callerChars / CHARS_PER_SECOND;
    ttsSeconds += t.agentChars / CHARS_PER_SECOND;
    if (t.llm) {
      llmInputTokens += LLM_PROMPT_TOKENS + Math.ceil(t.callerChars / CHARS_PER_TOKEN);
      llmOutputTokens += Math.ceil(t.agentChars / CHARS_PER_TOKEN);
    }
  }
  const usd =
    (asrSeconds / 60) * p.asrPerMinute +
    (ttsSeconds / 60) * p.ttsPerMinute +
    (llmInputTokens / 1000) * p.llmInputPer1kTokens +
    (llmOutputTokens / 1000) * p.llmOutputPer1kTokens +
    turns.length * p.perTurnCompute;
  return { usd: round(usd, 8), asrSeconds: round(asrSeconds, 3), ttsSeconds: round(ttsSeconds, 3), llmInputTokens, llmOutputTokens, turns: turns.length };
}

/** Intents that mean "not understood / out of scope": not covered. */
export const UNCOVERED_INTENTS: ReadonlySet<string> = new Set(['', 'out_of_scope', 'oos', 'unknown', 'none']);

/** A prediction covers the turn when the agent recognised an in-scope intent. */
export function isCovered(predicted: string | null | undefined): boolean {
  return !!predicted && !UNCOVERED_INTENTS.has(predicted.toLowerCase());
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/**
 * The part of a KB answer that makes claims: the answer without the questions the agent appends to it
 * (the pending slot prompt, "Is there anything else I can help you with?"). Questions are not claims,
 * so the grounding check does not judge them. A prefix of the answer: span offsets stay valid.
 */
export function answerClaims(answer: string): string {
  let text = answer.trimEnd();
  for (;;) {
    const m = /(^|[.!?]\s+)[^.!?]*\?$/.exec(text);
    if (!m) return text;
    text = text.slice(0, m.index + m[1]!.length).trimEnd();
  }
}
