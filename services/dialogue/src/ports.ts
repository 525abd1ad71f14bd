/**
 * What the dialogue engine needs from the rest of the platform, as small interfaces. The real
 * implementations live elsewhere (@cc/nlu, @cc/knowledge, @cc/core redaction, @cc/store) and are
 * wired by the caller; tests use simple in-test implementations. Every method may be sync or async.
 */

type MaybePromise<T> = T | Promise<T>;

/** A slot value as the NLU returns it: text, number, yes/no, or an amount of money. */
export type Money = { amount: number; currency: string };
export type SlotValue = string | number | boolean | Money;

// ---------------------------------------------------------------------------------------------
// NLU

export interface IntentScore {
  intent: string;
  confidence: number;
}

export interface IntentPrediction {
  /** Best intent (a flow id of the agent version), or null when none. */
  intent: string | null;
  confidence: number;
  /** The classifier thinks the utterance is outside every intent it knows. */
  outOfScope: boolean;
  /** Best intents first. */
  top: IntentScore[];
}

export interface IntentClassifier {
  classify(text: string): MaybePromise<IntentPrediction>;
}

export interface SlotRequest {
  name: string;
  /** A slot kind the extractor knows (order_id, amount, zip, …); inferred from the name when absent. */
  kind?: string;
  /** Allowed values of a categorical slot. */
  values?: readonly string[];
}

export type SlotStatus = 'filled' | 'missing' | 'ambiguous' | 'conflict';

export interface SlotExtraction {
  name: string;
  status: SlotStatus;
  /** Only when filled. */
  value?: SlotValue;
  confidence: number;
  /** The readings behind an ambiguous or conflicting result. */
  candidates?: { value: SlotValue }[];
  reason?: string;
}

export interface SlotContext {
  /** The slot the agent just asked for: a bare answer goes there. */
  expecting?: string;
  referenceDate?: Date;
  timeZone?: string;
}

export interface SlotExtractor {
  extractSlots(text: string, wanted: readonly SlotRequest[], ctx: SlotContext): MaybePromise<{ slots: Record<string, SlotExtraction> }>;
}

export interface SentimentScorer {
  /** −1 (very negative) … 1 (very positive). */
  score(text: string): MaybePromise<number>;
}

// ---------------------------------------------------------------------------------------------
// Knowledge

export interface KnowledgeHit {
  /** Stable passage id (article id + span), cited by answers. */
  id: string;
  title: string;
  text: string;
  /** Retrieval score, higher is better (BM25 or normalised). */
  score: number;
  /** 0..1: how much of the query the passage covers, when the retriever knows it. */
  coverage?: number;
}

export interface KnowledgeCitation {
  passageId?: string;
  articleId: string;
  version?: number;
  start?: number;
  end?: number;
  slug?: string;
  title?: string;
}

export interface KnowledgeAnswer {
  covered: boolean;
  /** The answer as it is spoken (or the not-covered line). */
  text: string;
  citations: KnowledgeCitation[];
  confidence: number;
}

export interface GroundingVerdict {
  grounded: boolean;
  /** 0..1 share of the answer supported by the sources. */
  score?: number;
}

export interface KnowledgeAnswerer {
  search(query: string, k: number): MaybePromise<KnowledgeHit[]>;
  /** Compose an extractive answer with citations from the passages, or a "not covered" result. */
  answer(question: string, hits: readonly KnowledgeHit[]): MaybePromise<KnowledgeAnswer>;
  /** Independent check that the answer is supported by its sources (optional). */
  checkGrounding?(answer: string, sources: readonly KnowledgeHit[]): MaybePromise<GroundingVerdict>;
  /** sha256 of the KB snapshot the index was built from (falls back to the agent version's). */
  snapshotHash?: string;
}

// ---------------------------------------------------------------------------------------------
// Privacy

export interface Redactor {
  /** The text with personal data replaced by placeholders such as [EMAIL]. */
  redact(text: string): string;
}

// ---------------------------------------------------------------------------------------------
// CRM and actions

export interface CrmOrder {
  orderId: string;
  status: string;
  product?: string;
  total?: number;
  currency?: string;
  placedAt?: string;
  paymentMethod?: string;
  shippingZip?: string;
}

/** The customer record as the dialogue sees it (the customers table of @cc/store, or a CRM). */
export interface CrmCustomer {
  /** Stable customer reference (customers.external_id). */
  externalId: string;
  fullName: string;
  email?: string | null;
  phone?: string | null;
  accountId?: string | null;
  username?: string | null;
  membershipLevel?: string | null;
  /** Billing ZIP code, when the CRM keeps one (else the shipping ZIPs of orders are used). */
  zip?: string | null;
  orders: CrmOrder[];
}

export interface CrmAdapter {
  findByPhone(phone: string): MaybePromise<CrmCustomer | null>;
  findByAccountId(accountId: string): MaybePromise<CrmCustomer | null>;
  findByExternalId?(externalId: string): MaybePromise<CrmCustomer | null>;
  /** Send a one-time code to the customer's phone on file; true when sent. Optional. */
  sendOneTimeCode?(externalId: string): MaybePromise<boolean>;
  /** Check a one-time code; optional (OTP verification is offered only when both exist). */
  verifyOneTimeCode?(externalId: string, code: string): MaybePromise<boolean>;
}

export interface ActionRequest {
  /** Action name from the flow (SGD method "TransferMoney" or ABCD button "pull-up-account"). */
  action: string;
  params: Record<string, SlotValue>;
  /** `${callId}:${flowId}:${stepId}` — the same key must not execute twice. */
  idempotencyKey: string;
  callId: string;
  flowId: string;
  stepId: string;
  /** The verified customer (externalId), if any. */
  customerRef: string | null;
}

export interface ActionOutcome {
  /** false: a business failure (insufficient funds, unknown order) — not retried. */
  ok: boolean;
  /** Result values (become result slots of the flow). */
  data?: Record<string, SlotValue>;
  /** A short spoken line describing the result (ABCD actions). */
  say?: string;
  error?: string;
}

export interface ActionRunner {
  /** The actions this runner knows; flows naming another action are rejected at load when set. */
  readonly actions?: readonly string[];
  /** Throwing (or not answering before `signal` aborts) is a transient failure: retried, counted by the breaker. */
  run(request: ActionRequest, signal: AbortSignal): Promise<ActionOutcome>;
}

// ---------------------------------------------------------------------------------------------
// Audit and time

export type DecisionSource = 'flow' | 'deterministic' | 'llm' | 'policy' | 'guard';

/** One audited dialogue decision. */
export interface DecisionAuditEvent {
  callId: string;
  tenantId: string | null;
  agentVersion: string;
  turn: number;
  at: string;
  /** What the engine did: the TurnDecision kind. */
  kind: string;
  /** Who decided: the flow engine, the deterministic proposer, the LLM, or the policy layer. */
  source: DecisionSource;
  reason: string;
  intent: string | null;
  confidence: number;
  /** The proposal that was checked (LLM or deterministic), when there was one. */
  proposal?: unknown;
  /** Policy verdict on the proposal. */
  policy?: { allowed: boolean; rule?: string; reason?: string };
  /** Set when the LLM was consulted. */
  modelId: string | null;
  /** sha256 of the prompt sent to the model (null when none was sent). */
  promptHash: string | null;
  kbSnapshotHash: string | null;
  /** Why the LLM's proposal was not used (error, timeout, refusal). */
  fallback?: string;
  /** A proposal the policy refused (it was not executed). */
  refused?: { proposal: unknown; rule: string; reason: string };
  actions?: { action: string; idempotencyKey: string; ok: boolean }[];
}

export interface AuditSink {
  record(event: DecisionAuditEvent): MaybePromise<void>;
}

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
