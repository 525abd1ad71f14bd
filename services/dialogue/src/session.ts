/** One call's dialogue: DialogueSession and the routing of each caller turn to its handler. */
import { ValidationError, errorMessage } from '@cc/core';
import { authTurn } from './auth-turns.ts';
import { ANYTHING_ELSE, escalate, finish, notUnderstood, sentimentFalling } from './decisions.ts';
import type { DialogueEngine } from './engine.ts';
import type { TurnDecision, TurnInput } from './engine-types.ts';
import { startFlow } from './flow-runner.ts';
import { confirmTurn, slotTurn } from './flow-turns.ts';
import { governedTurn } from './governed-turns.ts';
import { buildHandoffPackage, type HandoffPackage } from './handoff.ts';
import type { SessionState } from './state.ts';
import { checkInput, wantsHuman, yesNo } from './text.ts';
import { classify, timed, type TurnContext } from './turn-context.ts';

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
    const t: TurnContext = {
      engine,
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
        decision = finish(t, 'end', `session_${work.status}`, work.status === 'escalated' ? engine.prompts.escalation : 'This call has ended.');
      } else {
        decision = await routeTurn(t);
      }
      this.s = work;
    } catch (err) {
      // A bug or a dependency failure: keep the last good state and hand the call over cleanly.
      const safe = structuredClone(this.s);
      safe.turn++;
      const t2: TurnContext = { ...t, s: safe, parts: [], actionResults: t.actionResults };
      decision = escalate(t2, 'internal_error');
      t2.audit.fallback = `internal_error: ${errorMessage(err)}`;
      this.s = safe;
      t.audit = t2.audit;
    }
    await engine.audit(this.s, decision, t.audit);
    return decision;
  }
}

/** One turn of an active call: input checks, transcript and sentiment, then the handler for what the call waits on. */
async function routeTurn(t: TurnContext): Promise<TurnDecision> {
  const { s } = t;
  const engine = t.engine;
  const o = engine.options;
  s.turn++;
  const check = checkInput(t.input.text, t.input.dtmf, t.input.asrConfidence, { maxChars: o.maxUtteranceChars, minAsrConfidence: o.minAsrConfidence });
  t.text = check.text;
  // Verification answers (account id, ZIP, one-time code) never reach the transcript.
  const factor = s.auth.collecting?.step;
  const entry = { turn: s.turn, speaker: 'caller' as const, text: factor && check.text ? `[${factor.toUpperCase()}]` : engine.redact.redact(check.text) };
  s.transcript.push(entry);
  if (check.text && !check.problem && engine.deps.sentiment) {
    const score = await timed(t, 'nlu', async () => {
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

  if (wantsHuman(check.text, t.input.dtmf)) return escalate(t, 'caller_requested_human');
  if (check.problem) return notUnderstood(t, check.problem);
  if (sentimentFalling(t)) return escalate(t, 'negative_sentiment');

  if (wasOffered) {
    const yn = yesNo(t.text, t.input.dtmf);
    if (yn === 'yes') return escalate(t, 'caller_accepted_transfer');
    if (yn === 'no' && !s.flow && !s.auth.collecting) {
      s.lastPrompt = 'anything_else';
      t.parts.push('Alright.', ANYTHING_ELSE);
      return finish(t, 'say', 'transfer_declined');
    }
  }
  if (s.auth.collecting) return authTurn(t);
  if (s.candidateFlow) {
    const candidate = s.candidateFlow;
    s.candidateFlow = null;
    const yn = yesNo(t.text, t.input.dtmf);
    if (yn === 'yes') {
      t.intent = candidate;
      s.lastIntent = { name: candidate, confidence: Math.max(t.confidence, engine.threshold) };
      return startFlow(t, candidate, '', 'candidate_confirmed');
    }
    if (yn === 'no' && t.text.split(/\s+/).length <= 3) {
      t.parts.push('Sorry about that. What can I help you with?');
      return finish(t, 'clarify', 'candidate_rejected');
    }
  }
  if (s.flow?.awaiting?.kind === 'confirm') return confirmTurn(t);
  if (s.flow?.awaiting?.kind === 'slot') return slotTurn(t);
  if (!s.flow && (/\b(bye|goodbye|that'?s all|that is all|nothing else)\b/i.test(t.text) || (wasAnythingElse && yesNo(t.text, t.input.dtmf) === 'no' && t.text.split(/\s+/).length <= 4))) {
    s.status = 'ended';
    t.parts.push('Thank you for calling. Goodbye.');
    return finish(t, 'end', 'caller_done');
  }
  if (wasAnythingElse && yesNo(t.text, t.input.dtmf) === 'yes' && t.text.split(/\s+/).length <= 3) {
    t.parts.push('What else can I help you with?');
    return finish(t, 'say', 'anything_else');
  }
  return openTurn(t);
}

/** No flow running: a confident intent starts its flow; anything else goes to the proposers. */
async function openTurn(t: TurnContext): Promise<TurnDecision> {
  const nlu = await classify(t);
  if (nlu.intent && !nlu.outOfScope && nlu.confidence >= t.engine.threshold && t.engine.flows.has(nlu.intent)) {
    return startFlow(t, nlu.intent, t.text, 'intent_confident');
  }
  return governedTurn(t, nlu);
}
