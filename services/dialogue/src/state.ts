import { parseOrThrow } from '@cc/core';
import { z } from 'zod';

/**
 * The whole state of one conversation, as plain JSON: the voice runtime keeps it in Redis between
 * turns so that any node can pick up a call. `parseSessionState` validates what comes back.
 */

export const MoneySchema = z.object({ amount: z.number(), currency: z.string() });
export const SlotValueSchema = z.union([z.string(), z.number(), z.boolean(), MoneySchema]);

export const AuthStatus = z.enum(['anonymous', 'identified', 'verified', 'locked']);
export type AuthStatus = z.infer<typeof AuthStatus>;

export const AuthStateSchema = z.object({
  /** anonymous: nothing known; identified: the ANI matched a customer (not proof); verified: a second factor passed; locked: too many failed attempts. */
  status: AuthStatus,
  /** externalId of the identified or verified customer. */
  customerRef: z.string().nullable(),
  identifiedBy: z.enum(['ani', 'account_id', 'otp']).nullable(),
  verifiedBy: z.enum(['account_zip', 'otp']).nullable(),
  failedAttempts: z.number().int().min(0),
  /** Verification in progress: what is asked next, for which flow. */
  collecting: z
    .object({
      step: z.enum(['account_id', 'zip', 'otp']),
      accountId: z.string().nullable(),
      forFlow: z.string(),
      /** Details the caller gave with the request, applied once the flow starts. */
      slots: z.record(z.string(), SlotValueSchema).optional(),
      /** Turn of the request that needed the verification. */
      requestTurn: z.number().int().optional(),
    })
    .nullable(),
});
export type AuthState = z.infer<typeof AuthStateSchema>;

export const CustomerOrderContextSchema = z.object({
  orderId: z.string(),
  status: z.string(),
  product: z.string().optional(),
  total: z.number().optional(),
  placedAt: z.string().optional(),
  paymentMethod: z.string().optional(),
});

/** Account context preloaded at call start (or after verification). Never spoken before verification. */
export const CustomerContextSchema = z.object({
  externalId: z.string(),
  fullName: z.string(),
  accountId: z.string().nullable(),
  username: z.string().nullable(),
  email: z.string().nullable(),
  phone: z.string().nullable(),
  membershipLevel: z.string().nullable(),
  orders: z.array(CustomerOrderContextSchema),
});
export type CustomerContext = z.infer<typeof CustomerContextSchema>;

export const FlowFrameSchema = z.object({
  id: z.string(),
  /** How many times this flow was started in the call (1 for the first): part of idempotency keys. */
  instance: z.number().int().min(1),
  stepId: z.string(),
  slots: z.record(z.string(), SlotValueSchema),
  /** What the caller's next utterance answers. */
  awaiting: z.union([z.object({ kind: z.literal('slot'), slot: z.string() }), z.object({ kind: z.literal('confirm') })]).nullable(),
  startedTurn: z.number().int(),
});
export type FlowFrame = z.infer<typeof FlowFrameSchema>;

export const TranscriptEntrySchema = z.object({
  turn: z.number().int(),
  speaker: z.enum(['caller', 'agent']),
  /** Redacted. */
  text: z.string(),
  sentiment: z.number().optional(),
});
export type TranscriptEntry = z.infer<typeof TranscriptEntrySchema>;

export const ActionRecordSchema = z.object({
  turn: z.number().int(),
  flowId: z.string(),
  stepId: z.string(),
  action: z.string(),
  idempotencyKey: z.string(),
  ok: z.boolean(),
  error: z.string().optional(),
});

export const SessionStateSchema = z.object({
  schemaVersion: z.literal(1),
  callId: z.string().min(1),
  tenantId: z.string().nullable(),
  /** agent name@version the session runs. */
  agentVersion: z.string(),
  startedAt: z.string(),
  status: z.enum(['active', 'escalated', 'ended']),
  turn: z.number().int().min(0),
  flow: FlowFrameSchema.nullable(),
  /** Flows started per id in this call (idempotency-key instance numbers). */
  flowStarts: z.record(z.string(), z.number().int()),
  completedFlows: z.array(z.object({ id: z.string(), outcome: z.string(), turn: z.number().int() })),
  auth: AuthStateSchema,
  customer: CustomerContextSchema.nullable(),
  failures: z.object({
    /** Consecutive turns not understood (reset on progress). */
    nonUnderstanding: z.number().int().min(0),
    /** Out-of-scope turns (clarified once, then escalated). */
    outOfScope: z.number().int().min(0),
    total: z.number().int().min(0),
  }),
  sentiment: z.array(z.number()),
  /** A "did you mean …?" question waiting for yes/no. */
  candidateFlow: z.string().nullable(),
  /** The agent offered a human agent; a "yes" escalates. */
  offeredHuman: z.boolean(),
  lastIntent: z.object({ name: z.string(), confidence: z.number() }).nullable(),
  lastPrompt: z.string().nullable(),
  escalation: z.object({ reason: z.string(), turn: z.number().int() }).nullable(),
  actions: z.array(ActionRecordSchema),
  transcript: z.array(TranscriptEntrySchema),
});
export type SessionState = z.infer<typeof SessionStateSchema>;

/** Validate state read back from storage; a bad document is a ValidationError naming each field. */
export function parseSessionState(input: unknown): SessionState {
  const value = typeof input === 'string' ? safeJson(input) : input;
  return parseOrThrow(SessionStateSchema, value, 'dialogue session state');
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export function newSessionState(init: { callId: string; tenantId: string | null; agentVersion: string; startedAt: string }): SessionState {
  return {
    schemaVersion: 1,
    callId: init.callId,
    tenantId: init.tenantId,
    agentVersion: init.agentVersion,
    startedAt: init.startedAt,
    status: 'active',
    turn: 0,
    flow: null,
    flowStarts: {},
    completedFlows: [],
    auth: { status: 'anonymous', customerRef: null, identifiedBy: null, verifiedBy: null, failedAttempts: 0, collecting: null },
    customer: null,
    failures: { nonUnderstanding: 0, outOfScope: 0, total: 0 },
    sentiment: [],
    candidateFlow: null,
    offeredHuman: false,
    lastIntent: null,
    lastPrompt: null,
    escalation: null,
    actions: [],
    transcript: [],
  };
}
