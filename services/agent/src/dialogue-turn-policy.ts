import type { DialogueEngine, TurnDecision } from '@cc/dialogue';
import type { PolicyContext, PolicyReply, TurnPolicy } from '@cc/voice';

const DIGIT_SLOTS = /(^|_)(account|order|zip|number|pin|code|phone|id)(_|$)/;

/** A decision as the voice pipeline needs it: what to say, and whether to transfer or hang up. */
function toReply(d: TurnDecision): PolicyReply {
  const slots = Object.fromEntries(Object.entries(d.slots).map(([k, v]) => [k, typeof v === 'object' ? `${v.amount} ${v.currency}` : String(v)]));
  const askingFor = d.kind === 'ask_slot' ? /ask_slot:([\w.]+)/.exec(d.reason)?.[1] : undefined;
  return {
    text: d.text,
    ...(d.intent ? { intent: d.intent } : {}),
    confidence: d.confidence,
    slots,
    ...(d.kind === 'escalate' ? { escalate: { reason: d.reason } } : {}),
    ...(d.kind === 'end' ? { endCall: true } : {}),
    ...(d.kind === 'confirm' ? { grammar: 'yesno' as const } : {}),
    ...(askingFor && DIGIT_SLOTS.test(askingFor) ? { grammar: 'digits' as const } : {}),
    stages: [
      { stage: 'nlu', startedAt: Date.now() - d.timings.total, durationMs: d.timings.nlu },
      ...(d.timings.llm > 0 ? [{ stage: 'llm' as const, startedAt: Date.now() - d.timings.llm, durationMs: d.timings.llm }] : []),
    ],
  };
}

/**
 * The dialogue engine behind the voice pipeline's policy seam. The session's state travels in the
 * pipeline's per-call state (persisted with the call), so any voice node can pick the call up.
 */
export class DialogueTurnPolicy implements TurnPolicy {
  readonly name = 'dialogue';
  constructor(private readonly engine: DialogueEngine) {}

  async greeting(ctx: Omit<PolicyContext, 'source' | 'turnIndex'>): Promise<PolicyReply> {
    const { session, greeting } = await this.engine.startSession({ callId: ctx.callId, tenantId: ctx.tenantId, callerAni: ctx.parameters.from ?? null });
    ctx.state.dialogue = session.toJSON();
    return toReply(greeting);
  }

  async respond(text: string, ctx: PolicyContext): Promise<PolicyReply> {
    const session = ctx.state.dialogue
      ? this.engine.resume(ctx.state.dialogue)
      : (await this.engine.startSession({ callId: ctx.callId, tenantId: ctx.tenantId, callerAni: ctx.parameters.from ?? null })).session;
    const decision = await session.handleTurn(ctx.source === 'dtmf' ? { dtmf: text } : { text, ...(ctx.asrConfidence !== undefined ? { asrConfidence: ctx.asrConfidence } : {}) });
    ctx.state.dialogue = session.toJSON();
    return toReply(decision);
  }
}
