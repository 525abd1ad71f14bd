import type { AsrGrammar } from '../asr/asr-provider.ts';

/**
 * The understanding/policy seam of the pipeline: one caller turn in (transcript or DTMF digits),
 * the agent's reply out. The real implementation is the dialogue package
 * (`DialogueSession.handleTurn({ text, dtmf }) → TurnDecision`), wired in through an adapter to this
 * interface; `KeywordPolicy` below stands in until then.
 */
export interface PolicyContext {
  callId: string;
  tenantId: string;
  /** Index the caller's turn will have in the call's turn rows. */
  turnIndex: number;
  /** How the caller answered: speech (ASR transcript) or keypad digits. */
  source: 'speech' | 'dtmf';
  /** The ASR's confidence for a speech turn, when it reports one. */
  asrConfidence?: number;
  /** The call's redacted transcript so far. */
  history: readonly { speaker: 'caller' | 'agent'; text: string }[];
  /** CCaaS parameters of the call. */
  parameters: Readonly<Record<string, string>>;
  /** Policy-owned, JSON-serialisable state; persisted with the call's session. */
  state: Record<string, unknown>;
  /** Aborted on barge-in and at call end. */
  signal: AbortSignal;
}

export interface PolicyReply {
  /** What the agent says. */
  text: string;
  /** The caller's intent as understood (goes on the caller's turn row). */
  intent?: string;
  /** 0..1 confidence in `intent`. */
  confidence?: number;
  /** Hand the call to a human after saying `text`. */
  escalate?: { reason: string; target?: string };
  /** Hang up after saying `text` (the call was handled). */
  endCall?: boolean;
  /** Constrain the next turn's recognition (slot capture). */
  grammar?: AsrGrammar;
  /** Slots the policy filled (go into a transfer's context package). */
  slots?: Record<string, string>;
  /**
   * Sub-stages the policy timed itself (epoch ms): understanding (`nlu`) and a language model call
   * (`llm`). They are recorded beside the `policy` stage, which covers the whole `respond` call.
   */
  stages?: { stage: 'nlu' | 'llm'; startedAt: number; durationMs: number }[];
}

export interface TurnPolicy {
  readonly name: string;
  /** The agent's opening line, spoken when the call starts (optional). */
  greeting?(ctx: Omit<PolicyContext, 'source' | 'turnIndex'>): PolicyReply | Promise<PolicyReply>;
  respond(text: string, ctx: PolicyContext): PolicyReply | Promise<PolicyReply>;
}

/**
 * STAND-IN policy until services/dialogue is wired in: a tiny deterministic keyword policy, not an
 * agent. It greets, says what it can help with (billing, orders, account access), asks for an
 * account number with a digits grammar, transfers on "agent / human / representative / operator",
 * ends the call on "goodbye", and escalates after `maxNoMatch` turns it could not place.
 */
export class KeywordPolicy implements TurnPolicy {
  readonly name = 'keyword-stand-in';
  constructor(private readonly opts: { maxNoMatch?: number; transferTarget?: string } = {}) {}

  greeting(): PolicyReply {
    return { text: 'Hello, thanks for calling. I can help with billing, orders, or your account. How can I help you today?', intent: 'greeting', confidence: 1 };
  }

  respond(text: string, ctx: PolicyContext): PolicyReply {
    const t = ` ${text.toLowerCase().replace(/[^a-z0-9' ]+/g, ' ').replace(/\s+/g, ' ').trim()} `;
    const has = (re: RegExp) => re.test(t);
    const state = ctx.state as { noMatch?: number; expecting?: string };
    const expecting = state.expecting;
    state.expecting = undefined;
    const hit = (reply: PolicyReply): PolicyReply => {
      state.noMatch = 0;
      return { confidence: 0.9, ...reply };
    };

    if (has(/ (agent|human|representative|operator|real person|someone) /)) {
      return hit({ text: 'Of course. Let me transfer you to a representative. Please hold.', intent: 'request_human', escalate: { reason: 'caller_requested_human', ...(this.opts.transferTarget ? { target: this.opts.transferTarget } : {}) } });
    }
    const digits = t.replace(/[^0-9]/g, '');
    if (expecting === 'account_number' && digits.length >= 4) {
      return hit({
        text: `Thank you, I have the account ending in ${digits.slice(-2).split('').join(' ')}. Your latest bill is ready, and payment is due on the first of next month. Is there anything else I can help with?`,
        intent: 'provide_account_number',
        slots: { account_number: digits },
      });
    }
    if (has(/ (bye|goodbye|that's all|that is all|nothing else|no thanks|no thank you) /)) {
      return hit({ text: 'Thanks for calling. Goodbye.', intent: 'goodbye', endCall: true });
    }
    if (has(/ (bill|bills|billing|invoice|payment|pay|charge|charged|refund|balance) /)) {
      state.expecting = 'account_number';
      return hit({
        text: 'I can help with your bill. Your latest statement was issued on the first of the month, and the balance is due within fourteen days. To look up the details, please say or key in your account number.',
        intent: 'billing',
        grammar: 'digits',
      });
    }
    if (has(/ (order|orders|delivery|deliver|package|parcel|shipping|shipment|track|tracking) /)) {
      return hit({ text: 'I can help with your order. Please tell me the order number, or say agent to speak with a person.', intent: 'order_status' });
    }
    if (has(/ (password|login|log in|sign in|locked|account) /)) {
      return hit({ text: 'I can help with your account. I can reset your password or unlock your account. Which would you like?', intent: 'account_access' });
    }
    if (has(/ (cancel|cancellation|close my) /)) {
      return hit({ text: 'I can help you cancel. Let me check what can be cancelled on your account.', intent: 'cancellation' });
    }
    if (has(/ (hello|hi|hey|good morning|good afternoon|good evening) /)) {
      return hit({ text: 'Hi! I can help with billing, orders, or your account. What do you need today?', intent: 'greeting' });
    }
    if (ctx.source === 'dtmf' && digits) {
      return hit({ text: 'Thank you. I can help with billing, orders, or your account. What do you need today?', intent: 'dtmf_input' });
    }
    state.noMatch = (state.noMatch ?? 0) + 1;
    if (state.noMatch >= (this.opts.maxNoMatch ?? 2)) {
      return { text: "I'm having trouble understanding. Let me transfer you to a representative.", intent: 'no_match', confidence: 0.1, escalate: { reason: 'repeated_no_match' } };
    }
    if (expecting) state.expecting = expecting;
    return { text: "Sorry, I didn't catch that. I can help with billing, orders, or your account.", intent: 'no_match', confidence: 0.1, ...(expecting === 'account_number' ? { grammar: 'digits' as const } : {}) };
  }
}
