/** DialogueEngine: one agent version's flows, policy and dependencies; starts and resumes call sessions. */
import { ValidationError } from '@cc/core';
import { customerContext } from './auth-turns.ts';
import {
  DEFAULT_SENSITIVE_FLOWS,
  type AgentPrompts,
  type AgentVersionInput,
  type DialogueDeps,
  type DialogueOptions,
  type StartSessionInput,
  type TurnDecision,
} from './engine-types.ts';
import { FlowCatalog } from './flows.ts';
import { DialoguePolicy } from './policy.ts';
import type { Clock, DecisionAuditEvent, Redactor } from './ports.ts';
import { systemClock } from './ports.ts';
import { DeterministicProposer } from './proposer.ts';
import { ResilientActionRunner } from './resilience.ts';
import { DialogueSession } from './session.ts';
import { newSessionState, parseSessionState, type SessionState } from './state.ts';
import { basicRedactor } from './text.ts';

function globMatch(pattern: string, value: string): boolean {
  const re = new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
  return re.test(value);
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
