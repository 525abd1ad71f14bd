import { z } from 'zod';
import type { FlowCatalog } from './flows.ts';
import type { Redactor, SlotValue } from './ports.ts';
import type { SessionState } from './state.ts';
import { speakValue } from './text.ts';

/**
 * The warm-transfer context package: what the human agent (and the console) gets when a call is
 * escalated. Everything in it is redacted; the customer is referred to by CRM reference only.
 */

export const HandoffPackageSchema = z.object({
  schemaVersion: z.literal(1),
  callId: z.string().min(1),
  tenantId: z.string().nullable(),
  agentVersion: z.string(),
  createdAt: z.iso.datetime(),
  escalation: z.object({
    reason: z.string().min(1),
    /** A sentence for the human agent. */
    description: z.string().min(1),
    turn: z.number().int().min(0),
  }),
  intent: z.object({ name: z.string(), confidence: z.number().min(0).max(1) }).nullable(),
  /** The flow the call was in: collecting details, confirming, or waiting for identity verification. */
  flow: z.object({ id: z.string(), title: z.string(), stepId: z.string().nullable(), stage: z.enum(['collecting', 'confirming', 'verifying']) }).nullable(),
  /** Slot values collected so far, redacted, as spoken text. */
  slots: z.record(z.string(), z.string()),
  customer: z
    .object({
      /** CRM reference (customers.external_id). */
      reference: z.string(),
      verified: z.boolean(),
      identifiedBy: z.enum(['ani', 'account_id', 'otp']).nullable(),
      membershipLevel: z.string().nullable(),
    })
    .nullable(),
  authentication: z.object({ status: z.enum(['anonymous', 'identified', 'verified', 'locked']), failedAttempts: z.number().int().min(0) }),
  sentiment: z.object({
    latest: z.number().min(-1).max(1).nullable(),
    average: z.number().min(-1).max(1).nullable(),
    trend: z.enum(['improving', 'stable', 'worsening', 'unknown']),
  }),
  /** Up to three caller sentences, verbatim (redacted), in call order. */
  summary: z.string(),
  actions: z.array(z.object({ action: z.string(), ok: z.boolean(), error: z.string().optional() })),
  completedFlows: z.array(z.object({ id: z.string(), outcome: z.string() })),
  turns: z.number().int().min(0),
  transcript: z.array(z.object({ turn: z.number().int(), speaker: z.enum(['caller', 'agent']), text: z.string() })),
});
export type HandoffPackage = z.infer<typeof HandoffPackageSchema>;

export const ESCALATION_DESCRIPTIONS: Record<string, string> = {
  caller_requested_human: 'The caller asked for a person.',
  caller_accepted_transfer: 'The caller accepted the offer of a colleague.',
  repeated_non_understanding: 'The agent repeatedly could not understand the caller.',
  negative_sentiment: 'The caller became increasingly upset.',
  out_of_scope: 'The request is outside what the voice agent handles.',
  authentication_failed: 'The caller could not be verified.',
  transaction_failed: 'A transaction failed.',
  policy_refused: 'No next step passed the governance policy.',
  internal_error: 'The voice agent hit an internal error.',
};

function describe(reason: string): string {
  return ESCALATION_DESCRIPTIONS[reason] ?? (reason.startsWith('action_failed') ? 'A back-office action failed.' : `Escalated: ${reason.replace(/_/g, ' ')}.`);
}

function trend(scores: number[]): 'improving' | 'stable' | 'worsening' | 'unknown' {
  if (scores.length < 2) return 'unknown';
  const half = Math.max(1, Math.floor(scores.length / 2));
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const d = mean(scores.slice(-half)) - mean(scores.slice(0, half));
  return d > 0.15 ? 'improving' : d < -0.15 ? 'worsening' : 'stable';
}

const clamp = (x: number) => Math.max(-1, Math.min(1, x));

/**
 * Extractive summary: the caller's sentence that opened the current (or last) request, their most
 * negative sentence, and their last one — verbatim, redacted, in call order, at most three.
 */
export function extractiveSummary(state: SessionState): string {
  // Verification answers are stored as placeholders ("[ZIP]"): they say nothing about the request.
  const caller = state.transcript.filter((t) => t.speaker === 'caller' && t.text.trim() && !/^\[[A-Z_]+\]$/.test(t.text.trim()));
  if (caller.length === 0) return '';
  const picks = new Set<(typeof caller)[number]>();
  const startedTurn = state.flow?.startedTurn ?? state.auth.collecting?.requestTurn;
  const opening = startedTurn !== undefined ? caller.find((t) => t.turn === startedTurn) : undefined;
  picks.add(opening ?? caller.find((t) => t.text.split(/\s+/).length >= 3) ?? caller[0]!);
  const scored = caller.filter((t) => typeof t.sentiment === 'number');
  const worst = scored.sort((a, b) => a.sentiment! - b.sentiment!)[0];
  if (worst && worst.sentiment! < -0.3) picks.add(worst);
  picks.add(caller.at(-1)!);
  return [...picks]
    .sort((a, b) => a.turn - b.turn)
    .slice(0, 3)
    .map((t) => {
      const s = t.text.trim().slice(0, 300);
      return /[.!?]$/.test(s) ? s : `${s}.`;
    })
    .join(' ');
}

export function buildHandoffPackage(
  state: SessionState,
  deps: { flows: FlowCatalog; redactor: Redactor; now: Date; reason: string },
): HandoffPackage {
  const slots: Record<string, string> = {};
  for (const [k, v] of Object.entries(state.flow?.slots ?? {})) slots[k] = deps.redactor.redact(speakValue(v as SlotValue));
  const scores = state.sentiment.map(clamp);
  const flowId = state.flow?.id ?? state.auth.collecting?.forFlow;
  const flow = flowId ? deps.flows.get(flowId) : undefined;
  const stage = state.flow ? (state.flow.awaiting?.kind === 'confirm' ? 'confirming' : 'collecting') : 'verifying';
  return HandoffPackageSchema.parse({
    schemaVersion: 1,
    callId: state.callId,
    tenantId: state.tenantId,
    agentVersion: state.agentVersion,
    createdAt: deps.now.toISOString(),
    escalation: { reason: deps.reason, description: describe(deps.reason), turn: state.turn },
    intent: state.lastIntent ? { name: state.lastIntent.name, confidence: Math.max(0, Math.min(1, state.lastIntent.confidence)) } : null,
    flow: flow ? { id: flow.id, title: flow.title, stepId: state.flow?.stepId ?? null, stage } : null,
    slots,
    customer: state.auth.customerRef
      ? {
          reference: state.auth.customerRef,
          verified: state.auth.status === 'verified',
          identifiedBy: state.auth.identifiedBy,
          membershipLevel: state.auth.status === 'verified' ? (state.customer?.membershipLevel ?? null) : null,
        }
      : null,
    authentication: { status: state.auth.status, failedAttempts: state.auth.failedAttempts },
    sentiment: {
      latest: scores.at(-1) ?? null,
      average: scores.length ? scores.reduce((a, b) => a + b, 0) / scores.length : null,
      trend: trend(scores),
    },
    summary: extractiveSummary(state),
    actions: state.actions.map((a) => ({ action: a.action, ok: a.ok, ...(a.error ? { error: a.error } : {}) })),
    completedFlows: state.completedFlows.map((f) => ({ id: f.id, outcome: f.outcome })),
    turns: state.turn,
    transcript: state.transcript.map((t) => ({ turn: t.turn, speaker: t.speaker, text: t.text })),
  });
}
