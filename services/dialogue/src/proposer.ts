import { z } from 'zod';
import type { IntentScore } from './ports.ts';
import type { AuthStatus } from './state.ts';
import { looksLikeQuestion } from './text.ts';

/**
 * The orchestrator's side of a turn the flow engine cannot decide on its own (ambiguous intent,
 * off-flow utterance, a question): a proposer suggests ONE next step. Proposals are only
 * suggestions — the policy layer checks each one before anything is said or done.
 */

export const ProposalSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('answer_from_knowledge'),
    /** What to look up (default: the caller's utterance). */
    query: z.string().trim().min(1).max(500).optional(),
    reason: z.string().trim().min(1).max(500),
  }),
  z.object({ type: z.literal('start_flow'), flowId: z.string().trim().min(1).max(200), reason: z.string().trim().min(1).max(500) }),
  z.object({
    type: z.literal('ask_clarification'),
    /** The question to ask (LLM); the engine's own wording when absent. */
    question: z.string().trim().min(1).max(500).optional(),
    /** "Did you mean …?" for this flow: a "yes" starts it. */
    candidateFlowId: z.string().trim().min(1).max(200).optional(),
    reason: z.string().trim().min(1).max(500),
  }),
  z.object({ type: z.literal('escalate'), reason: z.string().trim().min(1).max(500) }),
]);
export type Proposal = z.infer<typeof ProposalSchema>;
export type ProposalType = Proposal['type'];

export interface ProposalFlow {
  id: string;
  title: string;
  description: string;
  requiresAuth: boolean;
}

export interface ProposalContext {
  /** The caller's utterance, redacted. */
  utterance: string;
  turn: number;
  /** Intent classifier's best intents (flow ids of this agent version). */
  intents: IntentScore[];
  outOfScope: boolean;
  /** Retrieved knowledge passages, best first. */
  knowledge: { id: string; title: string; score: number; snippet: string }[];
  sentiment: { latest: number | null; average: number | null };
  state: {
    activeFlow: { id: string; title: string; awaiting: string | null } | null;
    pendingConfirmation: boolean;
    verifyingIdentity: boolean;
    auth: AuthStatus;
    nonUnderstanding: number;
    outOfScopeTurns: number;
  };
  /** The flows of this agent version (the only ones that may be started). */
  flows: ProposalFlow[];
  thresholds: { intent: number; suggest: number; retrieval: number };
}

export interface ProposerResult {
  proposal: Proposal;
  modelId: string | null;
  /** sha256 of the prompt sent to the model; null for the deterministic proposer. */
  promptHash: string | null;
}

export interface ProposeOptions {
  signal?: AbortSignal;
}

/** One interface for the LLM and the deterministic proposer. */
export interface NextStepProposer {
  readonly kind: 'llm' | 'deterministic';
  readonly modelId: string | null;
  propose(ctx: ProposalContext, options?: ProposeOptions): Promise<ProposerResult>;
}

export type ProposerFailure = 'timeout' | 'rate_limited' | 'overloaded' | 'http_error' | 'connection' | 'malformed_response' | 'no_tool_call' | 'unknown_tool' | 'invalid_tool_input' | 'aborted';

/** Why a proposer gave no usable proposal; carries the prompt hash for the audit trail. */
export class ProposerError extends Error {
  constructor(
    readonly failure: ProposerFailure,
    message: string,
    readonly promptHash: string | null,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'ProposerError';
  }
}

/**
 * Rules over intent top-k, retrieval scores and sentiment. It never starts a flow by itself (the
 * flow engine already did when the intent was confident): it answers from the KB, asks "did you
 * mean …?" for a plausible intent, asks to rephrase, or escalates.
 */
export class DeterministicProposer implements NextStepProposer {
  readonly kind = 'deterministic' as const;
  readonly modelId = null;

  async propose(ctx: ProposalContext): Promise<ProposerResult> {
    return { proposal: this.decide(ctx), modelId: null, promptHash: null };
  }

  decide(ctx: ProposalContext): Proposal {
    const { latest } = ctx.sentiment;
    if (latest !== null && latest <= -0.7 && ctx.state.nonUnderstanding >= 1) return { type: 'escalate', reason: 'negative_sentiment' };
    const best = ctx.knowledge[0];
    const strongKb = best !== undefined && best.score >= ctx.thresholds.retrieval;
    const [top1, top2] = ctx.intents;
    const known = top1 && ctx.flows.some((f) => f.id === top1.intent);
    const plausible = known && top1.confidence >= ctx.thresholds.suggest && (!top2 || top1.confidence - top2.confidence >= 0.1);
    const question = looksLikeQuestion(ctx.utterance);
    // While a confirmation or a verification is pending, no other flow may be suggested.
    const locked = ctx.state.pendingConfirmation || ctx.state.verifyingIdentity;
    if (strongKb && (question || !plausible || locked)) return { type: 'answer_from_knowledge', reason: `kb passage "${best.title}" scores ${best.score.toFixed(2)}` };
    if (plausible && !locked && top1.intent !== ctx.state.activeFlow?.id) {
      return { type: 'ask_clarification', candidateFlowId: top1.intent, reason: `intent ${top1.intent} at ${top1.confidence.toFixed(2)} is below the threshold` };
    }
    if (question && best) return { type: 'answer_from_knowledge', reason: 'question; best kb passage is weak' };
    return { type: 'ask_clarification', reason: ctx.outOfScope ? 'out_of_scope' : 'not_understood' };
  }
}
