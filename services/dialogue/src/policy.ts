import type { FlowCatalog } from './flows.ts';
import type { GroundingVerdict, KnowledgeAnswer, KnowledgeHit, Redactor } from './ports.ts';
import type { Proposal } from './proposer.ts';
import type { AuthStatus } from './state.ts';

/**
 * The governance layer: every proposal (from the LLM or the deterministic proposer) is checked
 * here against the allowed transitions and the caller's authentication state BEFORE anything is
 * said or done. A refused proposal is never executed.
 */

export type PolicyRule =
  | 'flow_exists'
  | 'auth_required'
  | 'pending_confirmation'
  | 'verification_in_progress'
  | 'grounded_answer'
  | 'clarification_text'
  | 'escalation_reason';

export interface PolicyState {
  auth: AuthStatus;
  pendingConfirmation: boolean;
  verifyingIdentity: boolean;
  activeFlowId: string | null;
}

/** An answer looked up for an answer_from_knowledge proposal (not yet spoken). */
export interface MaterialisedAnswer {
  answer: KnowledgeAnswer;
  hits: KnowledgeHit[];
  grounding: GroundingVerdict | null;
}

export type PolicyVerdict = { allowed: true } | { allowed: false; rule: PolicyRule; reason: string };

export interface PolicyOptions {
  flows: FlowCatalog;
  requiresAuth: (flowId: string) => boolean;
  redactor: Redactor;
  /** Longest clarification question the LLM may have spoken (default 240 characters). */
  maxQuestionChars?: number;
  /** Least grounding score an answer needs when a grounding checker is wired (default 0.6). */
  minGroundingScore?: number;
}

const CLAIMS = /\b(i have|i've|i just|done|completed|transferred|refunded|cancelled|canceled|processed|approved|your (balance|account number|password) is)\b/i;

export class DialoguePolicy {
  constructor(private readonly opts: PolicyOptions) {}

  check(proposal: Proposal, state: PolicyState, materialised?: MaterialisedAnswer): PolicyVerdict {
    const refuse = (rule: PolicyRule, reason: string): PolicyVerdict => ({ allowed: false, rule, reason });
    switch (proposal.type) {
      case 'start_flow': {
        if (!this.opts.flows.has(proposal.flowId)) return refuse('flow_exists', `flow "${proposal.flowId}" is not part of this agent version`);
        if (state.pendingConfirmation && proposal.flowId !== state.activeFlowId) return refuse('pending_confirmation', 'a confirmation is pending: it must be answered (yes/no) before another flow starts');
        if (state.verifyingIdentity) return refuse('verification_in_progress', 'identity verification is in progress');
        if (this.opts.requiresAuth(proposal.flowId) && state.auth !== 'verified') {
          return refuse('auth_required', `flow "${proposal.flowId}" needs a verified caller (caller is ${state.auth})`);
        }
        return { allowed: true };
      }
      case 'ask_clarification': {
        if (proposal.candidateFlowId !== undefined) {
          if (!this.opts.flows.has(proposal.candidateFlowId)) return refuse('flow_exists', `flow "${proposal.candidateFlowId}" is not part of this agent version`);
          if (state.pendingConfirmation) return refuse('pending_confirmation', 'a confirmation is pending: no other flow may be offered');
          if (state.verifyingIdentity) return refuse('verification_in_progress', 'identity verification is in progress');
        }
        if (proposal.question !== undefined) {
          const q = proposal.question.trim();
          if (q.length > (this.opts.maxQuestionChars ?? 240)) return refuse('clarification_text', 'the question is too long to speak');
          if (!q.endsWith('?')) return refuse('clarification_text', 'a clarification must be a question');
          if (this.opts.redactor.redact(q) !== q) return refuse('clarification_text', 'the question contains personal data');
          if (/\d{3,}/.test(q)) return refuse('clarification_text', 'the question contains figures');
          if (CLAIMS.test(q)) return refuse('clarification_text', 'the question claims an action or states account data');
        }
        return { allowed: true };
      }
      case 'answer_from_knowledge': {
        if (!materialised) return refuse('grounded_answer', 'no answer was looked up');
        const { answer, hits, grounding } = materialised;
        // "Not covered" is not an answer: it is spoken as an offer of a colleague, never as a claim.
        if (!answer.covered) return { allowed: true };
        if (answer.citations.length === 0) return refuse('grounded_answer', 'the answer cites no knowledge-base passage');
        if (hits.length === 0) return refuse('grounded_answer', 'the answer has no retrieved sources');
        if (grounding && (!grounding.grounded || (grounding.score ?? 1) < (this.opts.minGroundingScore ?? 0.6))) {
          return refuse('grounded_answer', `the grounding check did not support the answer (score ${grounding.score ?? 'n/a'})`);
        }
        return { allowed: true };
      }
      case 'escalate':
        return proposal.reason.trim() ? { allowed: true } : refuse('escalation_reason', 'an escalation needs a reason');
    }
  }
}
