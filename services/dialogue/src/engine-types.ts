/** The dialogue engine's public input, option and decision types. */
import type { HandoffPackage } from './handoff.ts';
import type {
  ActionRunner,
  AuditSink,
  Clock,
  CrmAdapter,
  DecisionSource,
  IntentClassifier,
  KnowledgeAnswerer,
  KnowledgeCitation,
  Redactor,
  SentimentScorer,
  SlotExtractor,
  SlotValue,
} from './ports.ts';
import type { NextStepProposer } from './proposer.ts';
import type { ActionResult, ResilienceOptions, ResilientActionRunner } from './resilience.ts';

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
