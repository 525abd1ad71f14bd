import { ValidationError, errorMessage } from '@cc/core';
import type { FlowDefinition, FlowStep } from '@cc/seed';
import { customerZips } from './demo-actions.ts';
import { FlowCatalog } from './flows.ts';
import { buildHandoffPackage, type HandoffPackage } from './handoff.ts';
import { DialoguePolicy, type MaterialisedAnswer, type PolicyState, type PolicyVerdict } from './policy.ts';
import type {
  ActionRunner,
  AuditSink,
  Clock,
  CrmAdapter,
  CrmCustomer,
  DecisionAuditEvent,
  DecisionSource,
  IntentClassifier,
  IntentPrediction,
  KnowledgeAnswerer,
  KnowledgeCitation,
  KnowledgeHit,
  Redactor,
  SentimentScorer,
  SlotExtraction,
  SlotExtractor,
  SlotRequest,
  SlotValue,
} from './ports.ts';
import { systemClock } from './ports.ts';
import { DeterministicProposer, ProposerError, type NextStepProposer, type Proposal, type ProposalContext } from './proposer.ts';
import { ResilientActionRunner, type ActionResult, type ResilienceOptions } from './resilience.ts';
import { newSessionState, parseSessionState, type CustomerContext, type SessionState } from './state.ts';
import { basicRedactor, checkInput, compactId, fillTemplate, freeTextAnswer, sameValue, wantsHuman, yesNo, type InputProblem } from './text.ts';

// ---------------------------------------------------------------------------------------------
// Public types

export interface AgentVersionInput {
  /** agent_versions.id, when loaded from the store. */
  id?: string | null;
  agentName: string;
  version: string;
  /** Flow definitions keyed by flow id (agent_versions.flows) or a list. */
  flows: unknown;
  /** `intent_confidence`: least classifier confidence that starts a flow. */
  thresholds: Record<string, number>;
  /** Needs `system`, `greeting`, `fallback` and `escalation` (agent_versions.prompts). */
  prompts: Record<string, string>;
  modelIds?: Record<string, string>;
  kbSnapshotHash?: string | null;
}

export interface DialogueDeps {
  intents: IntentClassifier;
  slots: SlotExtractor;
  /** Flow actions; wrapped with retries, timeouts and a circuit breaker unless already resilient. */
  actions: ActionRunner | ResilientActionRunner;
  knowledge?: KnowledgeAnswerer;
  sentiment?: SentimentScorer;
  redactor?: Redactor;
  crm?: CrmAdapter;
  audit?: AuditSink;
  clock?: Clock;
  /** The LLM proposer (ClaudeProposer); when absent only the deterministic proposer runs. */
  proposer?: NextStepProposer | null;
}

export interface DialogueOptions {
  /** Consecutive turns not understood before escalating (default 3). */
  maxNonUnderstanding?: number;
  /** Out-of-scope turns clarified before escalating (default 1: clarify once, then escalate). */
  maxOutOfScopeClarifications?: number;
  /** Failed identity verifications before escalating (default 3). */
  maxAuthAttempts?: number;
  /** Flow-id patterns that need a verified caller ("banks.*", "product_defect.refund_*"). */
  sensitiveFlows?: readonly string[];
  /** Transactional flows need a verified caller too (default true). */
  transactionalRequiresAuth?: boolean;
  /** Below this ASR confidence the turn is re-asked (default 0.3). */
  minAsrConfidence?: number;
  /** Longer utterances are not processed (default 1000 characters). */
  maxUtteranceChars?: number;
  /** Escalate when the mean of the last `window` sentiment scores (≥ minTurns of them) is ≤ threshold and not improving. */
  sentiment?: { window?: number; threshold?: number; minTurns?: number };
  /** Least confidence for a "did you mean …?" suggestion (default 0.35). */
  suggestThreshold?: number;
  /** Least retrieval score (coverage when given) for a knowledge answer (default 0.4). */
  minRetrievalScore?: number;
  /** Passages retrieved per question (default 4). */
  knowledgeTopK?: number;
  /** Hard time limit for an LLM proposal (default 4000 ms). */
  llmTimeoutMs?: number;
  /** Action retries / timeouts / breaker when the runner is wrapped here. */
  resilience?: ResilienceOptions;
  /** Transcript entries kept in the session state (default 200). */
  transcriptLimit?: number;
}

export const DEFAULT_SENSITIVE_FLOWS: readonly string[] = [
  'banks.*',
  'payment.*',
  'account_access.*',
  'manage_account.*',
  'order_issue.*',
  'product_defect.*',
  'purchase_dispute.*',
  'shipping_issue.*',
  'subscription_inquiry.*',
];

export interface AgentPrompts {
  system: string;
  greeting: string;
  fallback: string;
  escalation: string;
}

export type DecisionKind = 'say' | 'ask_slot' | 'confirm' | 'run_action' | 'answer' | 'clarify' | 'escalate' | 'end';

export interface StageTimings {
  nlu: number;
  retrieval: number;
  policy: number;
  llm: number;
  actions: number;
  total: number;
}

export interface TurnInput {
  text?: string;
  /** Keypad digits (1 = yes, 2 = no, 0 = agent; digits answer numeric questions). */
  dtmf?: string;
  /** 0..1 from the recogniser. */
  asrConfidence?: number;
}

export interface TurnDecision {
  kind: DecisionKind;
  /** What to speak. */
  text: string;
  citations?: KnowledgeCitation[];
  intent: string | null;
  confidence: number;
  /** Slot values of the active (or just finished) flow. */
  slots: Record<string, SlotValue>;
  actionResults: ActionResult[];
  reason: string;
  /** Who decided. */
  source: DecisionSource;
  flowId: string | null;
  turn: number;
  timings: StageTimings;
  /** The warm-transfer package, on escalation. */
  handoff?: HandoffPackage;
}

export interface StartSessionInput {
  callId: string;
  tenantId?: string | null;
  /** Caller's phone number (ANI): looked up in the CRM to preload account context. */
  callerAni?: string | null;
}

// ---------------------------------------------------------------------------------------------

const ANYTHING_ELSE = 'Is there anything else I can help you with?';
const NUMERIC_WORDS = new Set(['amount', 'date', 'time', 'number', 'count', 'price', 'passengers', 'travelers', 'adults', 'rooms', 'days', 'beds', 'baths', 'rating', 'zip', 'fare', 'total', 'rent']);
/** Slots whose answers are numbers, dates or times: never filled with free text. */
const isNumericSlot = (name: string) => name.split('_').some((w) => NUMERIC_WORDS.has(w));
const EXTRACTABLE_PARAMS = new Set(['order_id', 'amount', 'email', 'username', 'phone', 'zip_code', 'product']);
const DIGIT_WORDS: Record<string, string> = { zero: '0', oh: '0', o: '0', one: '1', two: '2', three: '3', four: '4', five: '5', six: '6', seven: '7', eight: '8', nine: '9' };

/** Digits from a spoken or keyed answer: "nine seven one 5 4" → "97154". */
export function spokenDigits(text: string): string {
  return text
    .toLowerCase()
    .split(/[\s,.-]+/)
    .map((w) => DIGIT_WORDS[w] ?? w.replace(/\D/g, ''))
    .join('');
}

function globMatch(pattern: string, value: string): boolean {
  const re = new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
  return re.test(value);
}

function customerContext(c: CrmCustomer): CustomerContext {
  return {
    externalId: c.externalId,
    fullName: c.fullName,
    accountId: c.accountId ?? null,
    username: c.username ?? null,
    email: c.email ?? null,
    phone: c.phone ?? null,
    membershipLevel: c.membershipLevel ?? null,
    orders: c.orders.slice(0, 10).map((o) => ({
      orderId: o.orderId,
      status: o.status,
      ...(o.product ? { product: o.product } : {}),
      ...(typeof o.total === 'number' ? { total: o.total } : {}),
      ...(o.placedAt ? { placedAt: o.placedAt } : {}),
      ...(o.paymentMethod ? { paymentMethod: o.paymentMethod } : {}),
    })),
  };
}

/** Per-turn working data. */
interface Turn {
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

export class DialogueEngine {
  readonly flows: FlowCatalog;
  readonly policy: DialoguePolicy;
  readonly actions: ResilientActionRunner;
  readonly deterministic = new DeterministicProposer();
  readonly agentVersionLabel: string;
  readonly threshold: number;
  readonly prompts: AgentPrompts;
  private readonly redactor: Redactor;
  private readonly clock: Clock;
  private readonly opts: Required<Omit<DialogueOptions, 'resilience' | 'sentiment'>> & { sentiment: Required<NonNullable<DialogueOptions['sentiment']>> };

  constructor(
    readonly agentVersion: AgentVersionInput,
    readonly deps: DialogueDeps,
    options: DialogueOptions = {},
  ) {
    this.actions = deps.actions instanceof ResilientActionRunner ? deps.actions : new ResilientActionRunner(deps.actions, { ...options.resilience, ...(deps.clock ? { clock: deps.clock } : {}) });
    const actionNames = this.actions.actions;
    this.flows = FlowCatalog.load(agentVersion.flows, actionNames ? { actions: actionNames } : {});
    const threshold = agentVersion.thresholds.intent_confidence;
    if (typeof threshold !== 'number' || !(threshold > 0 && threshold <= 1)) {
      throw new ValidationError('agent version', [{ path: 'thresholds.intent_confidence', message: 'must be a number in (0, 1]' }]);
    }
    this.threshold = threshold;
    const prompts = agentVersion.prompts ?? {};
    const missing = (['system', 'greeting', 'fallback', 'escalation'] as const).filter((k) => typeof prompts[k] !== 'string' || !prompts[k]!.trim());
    if (missing.length > 0) throw new ValidationError('agent version', missing.map((k) => ({ path: `prompts.${k}`, message: 'is required' })));
    this.prompts = { system: prompts.system!, greeting: prompts.greeting!, fallback: prompts.fallback!, escalation: prompts.escalation! };
    this.agentVersionLabel = `${agentVersion.agentName}@${agentVersion.version}`;
    this.redactor = deps.redactor ?? basicRedactor;
    this.clock = deps.clock ?? systemClock;
    this.opts = {
      maxNonUnderstanding: options.maxNonUnderstanding ?? 3,
      maxOutOfScopeClarifications: options.maxOutOfScopeClarifications ?? 1,
      maxAuthAttempts: options.maxAuthAttempts ?? 3,
      sensitiveFlows: options.sensitiveFlows ?? DEFAULT_SENSITIVE_FLOWS,
      transactionalRequiresAuth: options.transactionalRequiresAuth ?? true,
      minAsrConfidence: options.minAsrConfidence ?? 0.3,
      maxUtteranceChars: options.maxUtteranceChars ?? 1000,
      suggestThreshold: options.suggestThreshold ?? 0.35,
      minRetrievalScore: options.minRetrievalScore ?? 0.4,
      knowledgeTopK: options.knowledgeTopK ?? 4,
      llmTimeoutMs: options.llmTimeoutMs ?? 4000,
      transcriptLimit: options.transcriptLimit ?? 200,
      sentiment: { window: options.sentiment?.window ?? 3, threshold: options.sentiment?.threshold ?? -0.5, minTurns: options.sentiment?.minTurns ?? 2 },
    };
    this.policy = new DialoguePolicy({ flows: this.flows, requiresAuth: (id) => this.requiresAuth(id), redactor: this.redactor });
  }

  get options() {
    return this.opts;
  }

  get kbSnapshotHash(): string | null {
    return this.deps.knowledge?.snapshotHash ?? this.agentVersion.kbSnapshotHash ?? null;
  }

  /** Sensitive (configured patterns) or transactional flows need a verified caller. */
  requiresAuth(flowId: string): boolean {
    const flow = this.flows.get(flowId);
    if (!flow) return true;
    if (this.opts.transactionalRequiresAuth && flow.transactional) return true;
    return this.opts.sensitiveFlows.some((p) => globMatch(p, flowId));
  }

  /**
   * Start a call: look the caller up by ANI (an identification, not a verification) and preload
   * the account context. Returns the session and the greeting to speak.
   */
  async startSession(input: StartSessionInput): Promise<{ session: DialogueSession; greeting: TurnDecision }> {
    if (!input || typeof input.callId !== 'string' || !input.callId.trim()) {
      throw new ValidationError('session start', [{ path: 'callId', message: 'a call id is required' }]);
    }
    const state = newSessionState({
      callId: input.callId,
      tenantId: input.tenantId ?? null,
      agentVersion: this.agentVersionLabel,
      startedAt: new Date(this.clock.now()).toISOString(),
    });
    const t0 = this.clock.now();
    if (input.callerAni && this.deps.crm) {
      try {
        const customer = await this.deps.crm.findByPhone(input.callerAni);
        if (customer) {
          state.auth = { ...state.auth, status: 'identified', customerRef: customer.externalId, identifiedBy: 'ani' };
          state.customer = customerContext(customer);
        }
      } catch {
        // The CRM being down only means an anonymous start; verification asks for the factors anyway.
      }
    }
    const greeting = this.prompts.greeting;
    state.transcript.push({ turn: 0, speaker: 'agent', text: greeting });
    const session = new DialogueSession(this, state);
    const elapsed = this.clock.now() - t0;
    const decision: TurnDecision = {
      kind: 'say',
      text: greeting,
      intent: null,
      confidence: 0,
      slots: {},
      actionResults: [],
      reason: state.auth.status === 'identified' ? 'greeting_caller_identified' : 'greeting',
      source: 'flow',
      flowId: null,
      turn: 0,
      timings: { nlu: 0, retrieval: 0, policy: 0, llm: 0, actions: 0, total: elapsed },
    };
    await this.audit(state, decision, {});
    return { session, greeting: decision };
  }

  /** Pick a call up from its stored state (JSON string or object), validated. */
  resume(state: unknown): DialogueSession {
    const parsed = parseSessionState(state);
    if (parsed.agentVersion !== this.agentVersionLabel) {
      throw new ValidationError('dialogue session state', [{ path: 'agentVersion', message: `state belongs to ${parsed.agentVersion}, this engine runs ${this.agentVersionLabel}` }]);
    }
    return new DialogueSession(this, parsed);
  }

  /** @internal */
  async audit(state: SessionState, decision: TurnDecision, extra: Partial<DecisionAuditEvent>): Promise<void> {
    if (!this.deps.audit) return;
    const event: DecisionAuditEvent = {
      callId: state.callId,
      tenantId: state.tenantId,
      agentVersion: this.agentVersionLabel,
      turn: decision.turn,
      at: new Date(this.clock.now()).toISOString(),
      kind: decision.kind,
      source: decision.source,
      reason: decision.reason,
      intent: decision.intent,
      confidence: decision.confidence,
      modelId: null,
      promptHash: null,
      kbSnapshotHash: this.kbSnapshotHash,
      ...extra,
      ...(decision.actionResults.length ? { actions: decision.actionResults.map((a) => ({ action: a.action, idempotencyKey: a.idempotencyKey, ok: a.ok })) } : {}),
    };
    try {
      await this.deps.audit.record(event);
    } catch {
      // An audit sink failure must not break the call; the sink is responsible for its own retries.
    }
  }

  /** @internal */
  get redact(): Redactor {
    return this.redactor;
  }

  /** @internal */
  get now(): Clock {
    return this.clock;
  }
}

export class DialogueSession {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly engine: DialogueEngine,
    private s: SessionState,
  ) {}

  /** A copy of the state (plain JSON). */
  get state(): SessionState {
    return structuredClone(this.s);
  }

  toJSON(): SessionState {
    return this.state;
  }

  /** The warm-transfer package for the call as it stands. */
  handoff(reason = this.s.escalation?.reason ?? 'agent_decision'): HandoffPackage {
    return buildHandoffPackage(this.s, { flows: this.engine.flows, redactor: this.engine.redact, now: new Date(this.engine.now.now()), reason });
  }

  /**
   * Decide the agent's next move for one caller turn. Never throws for bad utterances (they get a
   * clarification or an escalation); throws a ValidationError only when `input` is not a turn.
   */
  handleTurn(input: TurnInput): Promise<TurnDecision> {
    if (typeof input !== 'object' || input === null) throw new ValidationError('turn', [{ path: '', message: 'expected { text, dtmf?, asrConfidence? }' }]);
    if (input.text !== undefined && typeof input.text !== 'string') throw new ValidationError('turn', [{ path: 'text', message: 'must be a string' }]);
    if (input.dtmf !== undefined && typeof input.dtmf !== 'string') throw new ValidationError('turn', [{ path: 'dtmf', message: 'must be a string of keypad digits' }]);
    const run = this.queue.then(() => this.runTurn(input));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async runTurn(input: TurnInput): Promise<TurnDecision> {
    const engine = this.engine;
    const work = structuredClone(this.s);
    const t: Turn = {
      s: work,
      input,
      text: '',
      started: engine.now.now(),
      timings: { nlu: 0, retrieval: 0, policy: 0, llm: 0, actions: 0, total: 0 },
      parts: [],
      actionResults: [],
      intent: work.lastIntent?.name ?? null,
      confidence: work.lastIntent?.confidence ?? 0,
      source: 'flow',
      audit: {},
      slotsOf: work.flow ? { flowId: work.flow.id, slots: work.flow.slots } : null,
    };
    let decision: TurnDecision;
    try {
      if (work.status !== 'active') {
        work.turn++;
        decision = this.finish(t, 'end', `session_${work.status}`, work.status === 'escalated' ? engine.prompts.escalation : 'This call has ended.');
      } else {
        decision = await this.turn(t);
      }
      this.s = work;
    } catch (err) {
      // A bug or a dependency failure: keep the last good state and hand the call over cleanly.
      const safe = structuredClone(this.s);
      safe.turn++;
      const t2: Turn = { ...t, s: safe, parts: [], actionResults: t.actionResults };
      decision = this.escalate(t2, 'internal_error');
      t2.audit.fallback = `internal_error: ${errorMessage(err)}`;
      this.s = safe;
      t.audit = t2.audit;
    }
    await engine.audit(this.s, decision, t.audit);
    return decision;
  }

  // -------------------------------------------------------------------------------------------
  // Turn pipeline

  private async turn(t: Turn): Promise<TurnDecision> {
    const { s } = t;
    const engine = this.engine;
    const o = engine.options;
    s.turn++;
    const check = checkInput(t.input.text, t.input.dtmf, t.input.asrConfidence, { maxChars: o.maxUtteranceChars, minAsrConfidence: o.minAsrConfidence });
    t.text = check.text;
    // Verification answers (account id, ZIP, one-time code) never reach the transcript.
    const factor = s.auth.collecting?.step;
    const entry = { turn: s.turn, speaker: 'caller' as const, text: factor && check.text ? `[${factor.toUpperCase()}]` : engine.redact.redact(check.text) };
    s.transcript.push(entry);
    if (check.text && !check.problem && engine.deps.sentiment) {
      const score = await this.timed(t, 'nlu', async () => {
        try {
          const v = await engine.deps.sentiment!.score(check.text);
          return Number.isFinite(v) ? Math.max(-1, Math.min(1, v)) : null;
        } catch {
          return null;
        }
      });
      if (score !== null) {
        s.sentiment.push(score);
        Object.assign(entry, { sentiment: score });
      }
    }
    const wasOffered = s.offeredHuman;
    const wasAnythingElse = s.lastPrompt === 'anything_else';
    s.lastPrompt = null;
    s.offeredHuman = false;

    if (wantsHuman(check.text, t.input.dtmf)) return this.escalate(t, 'caller_requested_human');
    if (check.problem) return this.notUnderstood(t, check.problem);
    if (this.sentimentFalling(s)) return this.escalate(t, 'negative_sentiment');

    if (wasOffered) {
      const yn = yesNo(t.text, t.input.dtmf);
      if (yn === 'yes') return this.escalate(t, 'caller_accepted_transfer');
      if (yn === 'no' && !s.flow && !s.auth.collecting) {
        s.lastPrompt = 'anything_else';
        t.parts.push('Alright.', ANYTHING_ELSE);
        return this.finish(t, 'say', 'transfer_declined');
      }
    }
    if (s.auth.collecting) return this.authTurn(t);
    if (s.candidateFlow) {
      const candidate = s.candidateFlow;
      s.candidateFlow = null;
      const yn = yesNo(t.text, t.input.dtmf);
      if (yn === 'yes') {
        t.intent = candidate;
        s.lastIntent = { name: candidate, confidence: Math.max(t.confidence, engine.threshold) };
        return this.startFlow(t, candidate, '', 'candidate_confirmed');
      }
      if (yn === 'no' && t.text.split(/\s+/).length <= 3) {
        t.parts.push('Sorry about that. What can I help you with?');
        return this.finish(t, 'clarify', 'candidate_rejected');
      }
    }
    if (s.flow?.awaiting?.kind === 'confirm') return this.confirmTurn(t);
    if (s.flow?.awaiting?.kind === 'slot') return this.slotTurn(t);
    if (!s.flow && (/\b(bye|goodbye|that'?s all|that is all|nothing else)\b/i.test(t.text) || (wasAnythingElse && yesNo(t.text, t.input.dtmf) === 'no' && t.text.split(/\s+/).length <= 4))) {
      s.status = 'ended';
      t.parts.push('Thank you for calling. Goodbye.');
      return this.finish(t, 'end', 'caller_done');
    }
    if (wasAnythingElse && yesNo(t.text, t.input.dtmf) === 'yes' && t.text.split(/\s+/).length <= 3) {
      t.parts.push('What else can I help you with?');
      return this.finish(t, 'say', 'anything_else');
    }
    return this.openTurn(t);
  }

  /** No flow running: a confident intent starts its flow; anything else goes to the proposers. */
  private async openTurn(t: Turn): Promise<TurnDecision> {
    const nlu = await this.classify(t);
    if (nlu.intent && !nlu.outOfScope && nlu.confidence >= this.engine.threshold && this.engine.flows.has(nlu.intent)) {
      return this.startFlow(t, nlu.intent, t.text, 'intent_confident');
    }
    return this.governedTurn(t, nlu);
  }

  private async classify(t: Turn): Promise<IntentPrediction> {
    const nlu = await this.timed(t, 'nlu', async () => {
      const r = await this.engine.deps.intents.classify(t.text);
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

  // -------------------------------------------------------------------------------------------
  // Flows

  private async startFlow(t: Turn, flowId: string, utterance: string, reason: string, preset: Record<string, SlotValue> = {}, requestTurn?: number): Promise<TurnDecision> {
    const { s } = t;
    const engine = this.engine;
    const flow = engine.flows.get(flowId)!;
    if (engine.requiresAuth(flowId) && s.auth.status !== 'verified') {
      if (s.auth.status === 'locked') return this.escalate(t, 'authentication_failed');
      // Details already given ("transfer $200 to Abhinav") are kept for after the verification.
      const early: Record<string, SlotValue> = {};
      if (utterance) this.applySlots(t, flow, await this.extract(t, flow, utterance, undefined), undefined, early);
      s.auth.collecting = { step: 'account_id', accountId: null, forFlow: flowId, slots: early, requestTurn: s.turn };
      t.parts.push(`I can help you with that. First I need to verify your identity. What is your account ID?`);
      return this.finish(t, 'ask_slot', 'authentication_required');
    }
    s.flow = null;
    const instance = (s.flowStarts[flowId] ?? 0) + 1;
    s.flowStarts[flowId] = instance;
    s.flow = { id: flowId, instance, stepId: flow.steps[0]!.id, slots: { ...preset }, awaiting: null, startedTurn: requestTurn ?? s.turn };
    s.failures.nonUnderstanding = 0;
    s.failures.outOfScope = 0;
    t.slotsOf = { flowId, slots: s.flow.slots };
    if (utterance) this.applySlots(t, flow, await this.extract(t, flow, utterance, undefined), undefined, s.flow.slots);
    t.intent = flowId;
    return this.advance(t, reason);
  }

  private slotRequests(flow: FlowDefinition): SlotRequest[] {
    const specs = [...flow.required_slots, ...flow.optional_slots].map((sp) => ({ name: sp.name, ...(sp.categorical ? { values: sp.values } : {}) }));
    if (specs.length > 0) return specs;
    // ABCD flows: form fields the caller may say (an order id, an amount).
    const params = new Set(flow.steps.flatMap((st) => (st.kind === 'action' ? st.params : [])));
    return [...params].filter((p) => EXTRACTABLE_PARAMS.has(p)).map((name) => ({ name }));
  }

  private async extract(t: Turn, flow: FlowDefinition, text: string, expecting: string | undefined): Promise<Record<string, SlotExtraction>> {
    const wanted = this.slotRequests(flow);
    if (wanted.length === 0) return {};
    return this.timed(t, 'nlu', async () => {
      try {
        const r = await this.engine.deps.slots.extractSlots(text, wanted, { ...(expecting ? { expecting } : {}), referenceDate: new Date(this.engine.now.now()) });
        return r && typeof r.slots === 'object' && r.slots !== null ? r.slots : {};
      } catch {
        return {};
      }
    });
  }

  /** Store filled values (corrections overwrite); report the first conflicting or ambiguous slot. */
  private applySlots(
    t: Turn,
    flow: FlowDefinition,
    ext: Record<string, SlotExtraction>,
    awaiting: string | undefined,
    target: Record<string, SlotValue> = t.s.flow!.slots,
  ): { filled: string[]; problem: { slot: string; values: SlotValue[] } | null } {
    const frame = { slots: target };
    const filled: string[] = [];
    let problem: { slot: string; values: SlotValue[] } | null = null;
    const specs = new Map([...flow.required_slots, ...flow.optional_slots].map((sp) => [sp.name, sp]));
    const wanted = new Set(this.slotRequests(flow).map((r) => r.name));
    for (const [name, r] of Object.entries(ext)) {
      if (!wanted.has(name) || !r || typeof r !== 'object') continue;
      if (r.status === 'filled' && r.value !== undefined && r.value !== null) {
        let value: SlotValue = r.value;
        const spec = specs.get(name);
        if (spec?.categorical && typeof value === 'string') {
          const canonical = spec.values.find((v) => v.toLowerCase() === String(value).toLowerCase());
          if (!canonical && value !== 'dontcare') continue;
          value = canonical ?? value;
        }
        frame.slots[name] = value;
        filled.push(name);
      } else if ((r.status === 'conflict' || r.status === 'ambiguous') && (name === awaiting || !problem)) {
        const values = (r.candidates ?? []).map((c) => c.value);
        if (name === awaiting || values.length > 1) problem = { slot: name, values };
      }
    }
    // Local fallbacks for the slot just asked for.
    if (awaiting && !filled.includes(awaiting) && !problem) {
      const spec = specs.get(awaiting);
      if (spec?.categorical) {
        const hits = spec.values.filter((v) => new RegExp(`\\b${v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`, 'i').test(t.text));
        if (hits.length === 1) {
          frame.slots[awaiting] = hits[0]!;
          filled.push(awaiting);
        } else if (hits.length > 1) problem = { slot: awaiting, values: hits };
      } else if (spec && !isNumericSlot(awaiting)) {
        const answer = freeTextAnswer(t.text);
        if (answer && yesNo(answer) === null) {
          frame.slots[awaiting] = answer;
          filled.push(awaiting);
        }
      }
    }
    return { filled, problem };
  }

  private async slotTurn(t: Turn): Promise<TurnDecision> {
    const { s } = t;
    const frame = s.flow!;
    const flow = this.engine.flows.get(frame.id)!;
    const awaiting = frame.awaiting?.kind === 'slot' ? frame.awaiting.slot : undefined;
    const ext = await this.extract(t, flow, t.text, awaiting);
    const before = { ...frame.slots };
    const { filled, problem } = this.applySlots(t, flow, ext, awaiting);
    if (problem) {
      // Contradictory values: nothing is guessed; the slot is asked again.
      frame.slots = before;
      delete frame.slots[problem.slot];
      t.slotsOf = { flowId: frame.id, slots: frame.slots };
      const heard = problem.values.length > 1 ? `I heard more than one answer (${problem.values.map((v) => fillTemplate('{v}', { v })).join(' or ')}). ` : "I'm not sure which one you meant. ";
      return this.clarify(t, 'contradictory_slot_values', heard);
    }
    if (awaiting && filled.includes(awaiting)) {
      s.failures.nonUnderstanding = 0;
      frame.awaiting = null;
      return this.advance(t, 'slot_filled');
    }
    if (filled.length > 0 && awaiting === undefined) return this.advance(t, 'slot_filled');
    // Not an answer: maybe a new request, a question, or noise.
    const nlu = await this.classify(t);
    if (nlu.intent && nlu.intent !== frame.id && !nlu.outOfScope && nlu.confidence >= this.engine.threshold && this.engine.flows.has(nlu.intent)) {
      t.parts.push('Sure, let us do that instead.');
      return this.startFlow(t, nlu.intent, t.text, 'flow_switched');
    }
    if (filled.length > 0) {
      // Other slots were given (a correction, or details ahead of time): keep them, ask again.
      t.parts.push('Got it.');
      return this.advance(t, 'slot_filled');
    }
    return this.governedTurn(t, nlu);
  }

  private async confirmTurn(t: Turn): Promise<TurnDecision> {
    const { s } = t;
    const frame = s.flow!;
    const flow = this.engine.flows.get(frame.id)!;
    const step = this.engine.flows.step(frame.id, frame.stepId);
    if (!step || step.kind !== 'confirm') {
      frame.awaiting = null;
      return this.advance(t, 'resume');
    }
    const yn = yesNo(t.text, t.input.dtmf);
    const ext = await this.extract(t, flow, t.text, undefined);
    const before = { ...frame.slots };
    const { filled, problem } = this.applySlots(t, flow, ext, undefined);
    const changed = filled.filter((k) => before[k] === undefined || !sameValue(before[k]!, frame.slots[k]!));
    if (problem) {
      frame.slots = before;
      return this.clarify(t, 'contradictory_slot_values', 'I heard conflicting details. ');
    }
    if (changed.length > 0) {
      // "No, make it 300": apply the correction and read everything back again.
      t.parts.push('Thanks, I have updated that.');
      t.parts.push(fillTemplate(step.prompt, frame.slots));
      s.failures.nonUnderstanding = 0;
      return this.finish(t, 'confirm', 'slot_corrected');
    }
    if (yn === 'yes') {
      frame.awaiting = null;
      s.failures.nonUnderstanding = 0;
      frame.stepId = this.engine.flows.following(frame.id, step)?.id ?? frame.stepId;
      return this.advance(t, 'confirmed');
    }
    if (yn === 'no') {
      // Go where the flow says (SGD: back to the first detail) and collect the details again.
      frame.awaiting = null;
      for (const sp of flow.required_slots) delete frame.slots[sp.name];
      for (const sp of flow.optional_slots) delete frame.slots[sp.name];
      frame.stepId = step.on_reject;
      s.failures.nonUnderstanding = 0;
      t.parts.push("No problem, let's go through the details again.");
      return this.advance(t, 'confirmation_rejected');
    }
    const nlu = await this.classify(t);
    return this.governedTurn(t, nlu);
  }

  /** Run the active flow from its current step until it needs the caller or ends. */
  private async advance(t: Turn, reason: string): Promise<TurnDecision> {
    const { s } = t;
    const engine = this.engine;
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
          return this.finish(t, t.actionResults.length ? 'run_action' : 'ask_slot', reason === 'slot_filled' || reason.startsWith('intent') || reason.startsWith('flow') || reason.startsWith('candidate') || reason === 'verified' ? `ask_${step.slot}` : reason);
        }
        case 'confirm': {
          this.fillDefaults(flow, frame.slots);
          frame.awaiting = { kind: 'confirm' };
          t.parts.push(fillTemplate(step.prompt, frame.slots));
          return this.finish(t, 'confirm', 'confirm_before_action');
        }
        case 'action': {
          this.fillDefaults(flow, frame.slots);
          const result = await this.runAction(t, flow, step);
          for (const [k, v] of Object.entries(result.data)) if (v !== undefined && v !== null) frame.slots[k] = v;
          if (result.say) t.parts.push(result.say);
          if (result.ok) {
            if (step.on_success) frame.stepId = step.on_success;
            else next(step);
          } else if (step.on_failure) {
            frame.stepId = step.on_failure;
          } else {
            if (!result.say) t.parts.push('Sorry, I could not complete that step.');
            return this.escalate(t, `action_failed:${step.action}`);
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
          return this.escalate(t, step.reason);
        case 'end': {
          s.completedFlows.push({ id: frame.id, outcome: step.outcome, turn: s.turn });
          t.slotsOf = { flowId: frame.id, slots: { ...frame.slots } };
          s.flow = null;
          if (!s.offeredHuman) {
            t.parts.push(ANYTHING_ELSE);
            s.lastPrompt = 'anything_else';
          }
          return this.finish(t, t.actionResults.length ? 'run_action' : 'say', `flow_${step.outcome}`);
        }
      }
    }
    throw new Error('flow did not reach a step that waits for the caller');
  }

  private fillDefaults(flow: FlowDefinition, slots: Record<string, SlotValue>): void {
    for (const opt of flow.optional_slots) if (slots[opt.name] === undefined) slots[opt.name] = opt.default;
  }

  private async runAction(t: Turn, flow: FlowDefinition, step: Extract<FlowStep, { kind: 'action' }>): Promise<ActionResult> {
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
    const result = await this.timed(t, 'actions', () =>
      this.engine.actions.execute({
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

  // -------------------------------------------------------------------------------------------
  // Authentication

  private async authTurn(t: Turn): Promise<TurnDecision> {
    const { s } = t;
    const engine = this.engine;
    const c = s.auth.collecting!;
    const crm = engine.deps.crm;
    if (/\b(cancel|never ?mind|forget it)\b/i.test(t.text)) {
      s.auth.collecting = null;
      s.lastPrompt = 'anything_else';
      t.parts.push('Okay, I have stopped that.', ANYTHING_ELSE);
      return this.finish(t, 'say', 'verification_cancelled');
    }
    if (!crm) return this.escalate(t, 'authentication_unavailable');
    const otpPossible = Boolean(crm.sendOneTimeCode && crm.verifyOneTimeCode && s.auth.customerRef && s.auth.identifiedBy === 'ani');
    if (c.step !== 'otp' && otpPossible && /\b(code|text me|send (me )?a)\b/i.test(t.text) && !/\d{5}/.test(spokenDigits(t.text))) {
      const sent = await this.timed(t, 'actions', async () => {
        try {
          return await crm.sendOneTimeCode!(s.auth.customerRef!);
        } catch {
          return false;
        }
      });
      if (sent) {
        c.step = 'otp';
        t.parts.push('I have sent a one-time code to the phone number on your account. Please read it to me.');
        return this.finish(t, 'ask_slot', 'otp_sent');
      }
    }
    if (c.step === 'account_id') {
      const id = await this.authFactor(t, 'account_id');
      if (!id) return this.clarify(t, 'account_id_not_understood', 'Sorry, I did not catch your account ID. ');
      c.accountId = id;
      c.step = 'zip';
      s.failures.nonUnderstanding = 0;
      t.parts.push('Thank you. And what is the ZIP code on your account?');
      return this.finish(t, 'ask_slot', 'ask_zip');
    }
    let customer: CrmCustomer | null = null;
    let method: 'account_zip' | 'otp' = 'account_zip';
    if (c.step === 'zip') {
      const zip = await this.authFactor(t, 'zip');
      if (!zip) return this.clarify(t, 'zip_not_understood', 'Sorry, I did not catch the ZIP code. ');
      const found = await this.timed(t, 'actions', async () => {
        try {
          return await crm.findByAccountId(c.accountId ?? '');
        } catch {
          return null;
        }
      });
      if (found && customerZips(found).includes(zip)) customer = found;
    } else {
      method = 'otp';
      const code = spokenDigits(t.text);
      if (code.length < 4) return this.clarify(t, 'otp_not_understood', 'Sorry, I did not catch the code. ');
      const ok = await this.timed(t, 'actions', async () => {
        try {
          return await crm.verifyOneTimeCode!(s.auth.customerRef!, code);
        } catch {
          return false;
        }
      });
      if (ok) customer = (await crm.findByExternalId?.(s.auth.customerRef!)) ?? (s.customer ? { ...s.customer, orders: s.customer.orders } : null);
    }
    if (!customer) {
      s.auth.failedAttempts++;
      if (s.auth.failedAttempts >= engine.options.maxAuthAttempts) {
        s.auth.status = 'locked';
        s.auth.collecting = null;
        return this.escalate(t, 'authentication_failed');
      }
      // Which factor was wrong is not revealed.
      c.step = 'account_id';
      c.accountId = null;
      t.parts.push("Sorry, I couldn't verify those details. Let's try again: what is your account ID?");
      return this.finish(t, 'ask_slot', 'verification_failed');
    }
    s.auth = {
      status: 'verified',
      customerRef: customer.externalId,
      identifiedBy: s.auth.identifiedBy ?? 'account_id',
      verifiedBy: method,
      failedAttempts: s.auth.failedAttempts,
      collecting: null,
    };
    s.customer = customerContext(customer);
    s.failures.nonUnderstanding = 0;
    t.parts.push('Thank you, you are verified.');
    return this.startFlow(t, c.forFlow, '', 'verified', c.slots ?? {}, c.requestTurn);
  }

  private async authFactor(t: Turn, kind: 'account_id' | 'zip'): Promise<string | null> {
    const text = t.text;
    const ext = await this.timed(t, 'nlu', async () => {
      try {
        return (await this.engine.deps.slots.extractSlots(text, [{ name: kind, kind }], { expecting: kind })).slots?.[kind];
      } catch {
        return undefined;
      }
    });
    if (ext?.status === 'filled' && typeof ext.value === 'string') {
      const v = kind === 'zip' ? ext.value.replace(/\D/g, '') : compactId(ext.value);
      if (kind === 'zip' ? /^\d{5}$/.test(v) : /^[A-Z0-9]{6,12}$/.test(v)) return v;
    }
    if (kind === 'zip') {
      const d = spokenDigits(text);
      return /^\d{5}$/.test(d) ? d : (/\b\d{5}\b/.exec(text)?.[0] ?? null);
    }
    const token = text.split(/\s+/).map(compactId).find((w) => /^[A-Z0-9]{10}$/.test(w) && /\d/.test(w));
    if (token) return token;
    const spelled = compactId(text.replace(/\b(my|the|account|id|number|is|it'?s|its|uh|um|okay|ok|sure|yes|yeah|that'?s)\b/gi, ' '));
    return /^[A-Z0-9]{8,12}$/.test(spelled) && /\d/.test(spelled) ? spelled : null;
  }

  // -------------------------------------------------------------------------------------------
  // Governed proposals

  private policyState(s: SessionState): PolicyState {
    return {
      auth: s.auth.status,
      pendingConfirmation: s.flow?.awaiting?.kind === 'confirm',
      verifyingIdentity: s.auth.collecting !== null,
      activeFlowId: s.flow?.id ?? null,
    };
  }

  private async governedTurn(t: Turn, nlu: IntentPrediction): Promise<TurnDecision> {
    const { s } = t;
    const engine = this.engine;
    {
      const hits = await this.timed(t, 'retrieval', async () => {
        if (!engine.deps.knowledge) return [] as KnowledgeHit[];
        try {
          return (await engine.deps.knowledge.search(t.text, engine.options.knowledgeTopK)) ?? [];
        } catch {
          return [] as KnowledgeHit[];
        }
      });
      const ctx = this.proposalContext(t, nlu, hits);
      const pstate = this.policyState(s);
      let chosen: { proposal: Proposal; verdict: PolicyVerdict; materialised?: MaterialisedAnswer; source: DecisionSource } | null = null;
      const llm = engine.deps.proposer;
      if (llm) {
        const started = engine.now.now();
        const controller = new AbortController();
        let timer: NodeJS.Timeout | undefined;
        // A hard limit here too, whatever the proposer does with its signal.
        const deadline = new Promise<never>((_, reject) => {
          timer = setTimeout(() => {
            controller.abort();
            reject(new ProposerError('timeout', `no proposal within ${engine.options.llmTimeoutMs + 250} ms`, null));
          }, engine.options.llmTimeoutMs + 250);
        });
        try {
          const pending = llm.propose(ctx, { signal: controller.signal });
          pending.catch(() => undefined);
          const r = await Promise.race([pending, deadline]);
          t.audit.modelId = r.modelId;
          t.audit.promptHash = r.promptHash;
          const checked = await this.check(t, r.proposal, pstate);
          if (checked.verdict.allowed) chosen = { ...checked, proposal: r.proposal, source: 'llm' };
          else {
            t.audit.fallback = `policy_refused:${checked.verdict.rule}`;
            t.audit.refused = { proposal: r.proposal, rule: checked.verdict.rule, reason: checked.verdict.reason };
          }
        } catch (err) {
          const e = err instanceof ProposerError ? err : null;
          t.audit.modelId = llm.modelId;
          t.audit.promptHash = e?.promptHash ?? null;
          t.audit.fallback = e ? `${e.failure}: ${e.message}` : `llm_error: ${errorMessage(err)}`;
        } finally {
          clearTimeout(timer);
          t.timings.llm += Math.max(0, engine.now.now() - started);
        }
      }
      if (!chosen) {
        const proposal = engine.deterministic.decide(ctx);
        const checked = await this.check(t, proposal, pstate);
        if (checked.verdict.allowed) chosen = { ...checked, proposal, source: 'deterministic' };
        else {
          t.audit.proposal = proposal;
          t.audit.policy = { allowed: false, rule: checked.verdict.rule, reason: checked.verdict.reason };
          t.source = 'policy';
          return this.escalate(t, 'policy_refused');
        }
      }
      t.source = chosen.source;
      t.audit.proposal = chosen.proposal;
      t.audit.policy = { allowed: true };
      return this.execute(t, chosen.proposal, nlu, chosen.materialised);
    }
  }

  private async check(t: Turn, proposal: Proposal, pstate: PolicyState): Promise<{ verdict: PolicyVerdict; materialised?: MaterialisedAnswer }> {
    let materialised: MaterialisedAnswer | undefined;
    if (proposal.type === 'answer_from_knowledge') materialised = await this.lookUp(t, proposal.query ?? t.text);
    const started = this.engine.now.now();
    const verdict = this.engine.policy.check(proposal, pstate, materialised);
    t.timings.policy += Math.max(0, this.engine.now.now() - started);
    return materialised ? { verdict, materialised } : { verdict };
  }

  private async lookUp(t: Turn, query: string): Promise<MaterialisedAnswer | undefined> {
    const kb = this.engine.deps.knowledge;
    if (!kb) return undefined;
    return this.timed(t, 'retrieval', async () => {
      try {
        const hits = (await kb.search(query, this.engine.options.knowledgeTopK)) ?? [];
        const answer = await kb.answer(query, hits);
        const grounding = answer.covered && kb.checkGrounding ? await kb.checkGrounding(answer.text, hits) : null;
        return { answer, hits, grounding };
      } catch {
        return undefined;
      }
    });
  }

  private proposalContext(t: Turn, nlu: IntentPrediction, hits: KnowledgeHit[]): ProposalContext {
    const { s } = t;
    const engine = this.engine;
    const scores = s.sentiment;
    const activeFlow = s.flow ? engine.flows.get(s.flow.id) : undefined;
    return {
      utterance: engine.redact.redact(t.text),
      turn: s.turn,
      intents: nlu.top.length ? nlu.top : nlu.intent ? [{ intent: nlu.intent, confidence: nlu.confidence }] : [],
      outOfScope: nlu.outOfScope,
      knowledge: hits.map((h) => ({ id: h.id, title: h.title, score: h.coverage ?? h.score, snippet: engine.redact.redact(h.text.slice(0, 240)) })),
      sentiment: { latest: scores.at(-1) ?? null, average: scores.length ? scores.reduce((a, b) => a + b, 0) / scores.length : null },
      state: {
        activeFlow: s.flow && activeFlow ? { id: s.flow.id, title: activeFlow.title, awaiting: s.flow.awaiting?.kind === 'slot' ? s.flow.awaiting.slot : (s.flow.awaiting?.kind ?? null) } : null,
        pendingConfirmation: s.flow?.awaiting?.kind === 'confirm',
        verifyingIdentity: s.auth.collecting !== null,
        auth: s.auth.status,
        nonUnderstanding: s.failures.nonUnderstanding,
        outOfScopeTurns: s.failures.outOfScope,
      },
      flows: engine.flows.list().map((f) => ({ id: f.id, title: f.title, description: f.description, requiresAuth: engine.requiresAuth(f.id) })),
      thresholds: { intent: engine.threshold, suggest: engine.options.suggestThreshold, retrieval: engine.options.minRetrievalScore },
    };
  }

  private async execute(t: Turn, p: Proposal, nlu: IntentPrediction, materialised?: MaterialisedAnswer): Promise<TurnDecision> {
    const { s } = t;
    switch (p.type) {
      case 'escalate':
        return this.escalate(t, this.escalationCode(p.reason));
      case 'start_flow':
        if (s.flow?.id === p.flowId) return this.reprompt(t, 'flow_continued');
        t.confidence = Math.max(t.confidence, nlu.top.find((x) => x.intent === p.flowId)?.confidence ?? 0);
        t.s.lastIntent = { name: p.flowId, confidence: t.confidence };
        return this.startFlow(t, p.flowId, t.text, 'proposal_start_flow');
      case 'answer_from_knowledge': {
        const a = materialised?.answer;
        if (!a || !a.covered) {
          // Not covered: say so and offer a person — counted like an out-of-scope turn.
          s.failures.outOfScope++;
          if (s.failures.outOfScope > this.engine.options.maxOutOfScopeClarifications) return this.escalate(t, 'out_of_scope');
          t.parts.push(a?.text ?? "I'm sorry, I don't have information about that. I can connect you with a colleague who can help.");
          s.offeredHuman = true;
          return this.finish(t, 'clarify', 'knowledge_not_covered');
        }
        s.failures.nonUnderstanding = 0;
        s.failures.outOfScope = 0;
        t.parts.push(a.text);
        t.citations = a.citations;
        const again = this.currentPrompt(s);
        if (again) t.parts.push(again);
        else {
          t.parts.push(ANYTHING_ELSE);
          s.lastPrompt = 'anything_else';
        }
        return this.finish(t, 'answer', 'answered_from_knowledge');
      }
      case 'ask_clarification': {
        const outOfScope = nlu.outOfScope || (!nlu.intent && nlu.top.length === 0);
        if (outOfScope && !s.flow) {
          s.failures.outOfScope++;
          if (s.failures.outOfScope > this.engine.options.maxOutOfScopeClarifications) return this.escalate(t, 'out_of_scope');
        }
        if (p.candidateFlowId) {
          const flow = this.engine.flows.get(p.candidateFlowId)!;
          s.candidateFlow = flow.id;
          const question = p.question ?? `Just to check: would you like help with ${flow.title.replace(/^[^:]*:\s*/, '').toLowerCase()}?`;
          return this.clarify(t, 'did_you_mean', '', question);
        }
        if (p.question) return this.clarify(t, outOfScope ? 'out_of_scope' : 'not_understood', '', p.question);
        // Something is pending (a detail, a confirmation, a verification): ask it again.
        if (this.currentPrompt(s)) return this.clarify(t, 'not_understood', "Sorry, I didn't quite get that.");
        const question = outOfScope
          ? 'I can help with orders, accounts, subscriptions, returns, payments and bookings. What would you like to do?'
          : this.engine.prompts.fallback;
        return this.clarify(t, outOfScope ? 'out_of_scope' : 'not_understood', '', question);
      }
    }
  }

  private escalationCode(reason: string): string {
    const known = ['negative_sentiment', 'out_of_scope', 'caller_requested_human', 'repeated_non_understanding'];
    const hit = known.find((k) => reason.toLowerCase().includes(k) || reason.toLowerCase().includes(k.replace(/_/g, ' ')));
    return hit ?? 'agent_decision';
  }

  // -------------------------------------------------------------------------------------------
  // Outcomes

  private currentPrompt(s: SessionState): string | null {
    if (s.auth.collecting) return s.auth.collecting.step === 'zip' ? 'What is the ZIP code on your account?' : s.auth.collecting.step === 'otp' ? 'Please read me the one-time code.' : 'What is your account ID?';
    const frame = s.flow;
    if (!frame?.awaiting) return null;
    const step = this.engine.flows.step(frame.id, frame.stepId);
    if (!step) return null;
    if (step.kind === 'collect_slot') return fillTemplate(step.prompt, frame.slots);
    if (step.kind === 'confirm') return fillTemplate(step.prompt, frame.slots);
    return null;
  }

  private reprompt(t: Turn, reason: string): TurnDecision {
    const again = this.currentPrompt(t.s);
    if (again) t.parts.push(again);
    const kind: DecisionKind = t.s.flow?.awaiting?.kind === 'confirm' ? 'confirm' : 'ask_slot';
    return this.finish(t, kind, reason);
  }

  /** Ask again (counts toward the non-understanding limit): a lead, then the question (default: the pending prompt). */
  private clarify(t: Turn, reason: string, lead: string, question?: string | null): TurnDecision {
    const { s } = t;
    s.failures.nonUnderstanding++;
    s.failures.total++;
    if (s.failures.nonUnderstanding >= this.engine.options.maxNonUnderstanding) return this.escalate(t, 'repeated_non_understanding');
    const pending = this.currentPrompt(s);
    const ask = question === null ? null : (question ?? pending ?? this.engine.prompts.fallback);
    t.parts.push(lead);
    if (ask && ask !== pending) t.parts.push(ask);
    // A pending confirmation is never left silently: it is always asked again.
    if (s.flow?.awaiting?.kind === 'confirm' && pending) t.parts.push('Please answer yes or no.', pending);
    else if (ask && ask === pending) t.parts.push(ask);
    return this.finish(t, 'clarify', reason);
  }

  private notUnderstood(t: Turn, problem: InputProblem): TurnDecision {
    const lead: Record<InputProblem, string> = {
      no_input: "Sorry, I didn't hear anything.",
      too_long: 'Sorry, that was a lot at once. Could you tell me in a few words?',
      unsupported_language: 'Sorry, I can only help in English.',
      not_understood: "Sorry, I didn't understand that.",
      low_asr_confidence: 'Sorry, the line is not very clear.',
    };
    const pending = this.currentPrompt(t.s);
    const question = pending ?? (problem === 'too_long' ? null : problem === 'not_understood' ? this.engine.prompts.fallback : 'How can I help you today?');
    return this.clarify(t, problem, lead[problem], question);
  }

  /** The mean of the last `window` scores is at or below the threshold and not improving. */
  private sentimentFalling(s: SessionState): boolean {
    const { window, threshold, minTurns } = this.engine.options.sentiment;
    const w = s.sentiment.slice(-window);
    if (w.length < minTurns) return false;
    const mean = w.reduce((a, b) => a + b, 0) / w.length;
    return mean <= threshold && w.at(-1)! <= w[0]! + 0.05;
  }

  private escalate(t: Turn, reason: string, text?: string): TurnDecision {
    const { s } = t;
    s.status = 'escalated';
    s.escalation = { reason, turn: s.turn };
    s.offeredHuman = false;
    s.candidateFlow = null;
    t.parts.push(text ?? this.engine.prompts.escalation);
    const decision = this.finish(t, 'escalate', reason);
    decision.handoff = buildHandoffPackage(s, { flows: this.engine.flows, redactor: this.engine.redact, now: new Date(this.engine.now.now()), reason });
    return decision;
  }

  private finish(t: Turn, kind: DecisionKind, reason: string, text?: string): TurnDecision {
    const { s } = t;
    if (text) t.parts.push(text);
    const spoken = t.parts.filter((p) => p.trim()).join(' ').replace(/\s+/g, ' ').trim();
    s.transcript.push({ turn: s.turn, speaker: 'agent', text: this.engine.redact.redact(spoken) });
    const limit = this.engine.options.transcriptLimit;
    if (s.transcript.length > limit) s.transcript.splice(0, s.transcript.length - limit);
    t.timings.total = Math.max(0, this.engine.now.now() - t.started);
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

  private async timed<T>(t: Turn, stage: keyof StageTimings, fn: () => Promise<T>): Promise<T> {
    const started = this.engine.now.now();
    try {
      return await fn();
    } finally {
      t.timings[stage] += Math.max(0, this.engine.now.now() - started);
    }
  }
}
