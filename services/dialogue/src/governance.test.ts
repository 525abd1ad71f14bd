import { describe, expect, it } from 'vitest';
import { DEMO_ACTIONS } from './demo-actions.ts';
import { FlowCatalog } from './flows.ts';
import { DialoguePolicy, type PolicyState } from './policy.ts';
import type { ActionRunner } from './ports.ts';
import { DeterministicProposer, ProposerError, type NextStepProposer, type Proposal, type ProposalContext, type ProposerResult } from './proposer.ts';
import { basicRedactor } from './text.ts';
import { FakeKnowledge, demoCustomer, demoEngine, demoTenant } from './test-support.ts';

class ScriptedProposer implements NextStepProposer {
  readonly kind = 'llm' as const;
  readonly modelId = 'test-model';
  seen: ProposalContext[] = [];
  constructor(private readonly next: (ctx: ProposalContext) => Proposal | Error) {}
  async propose(ctx: ProposalContext): Promise<ProposerResult> {
    this.seen.push(ctx);
    const p = this.next(ctx);
    if (p instanceof Error) throw p;
    return { proposal: p, modelId: this.modelId, promptHash: 'a'.repeat(64) };
  }
}

const customer = demoCustomer();

describe('DialoguePolicy', () => {
  const flows = FlowCatalog.load(demoTenant().agentVersion.flows);
  const sensitive = (id: string) => id.startsWith('banks.') || flows.get(id)?.transactional === true;
  const policy = new DialoguePolicy({ flows, requiresAuth: sensitive, redactor: basicRedactor });
  const anon: PolicyState = { auth: 'identified', pendingConfirmation: false, verifyingIdentity: false, activeFlowId: null };
  const verified: PolicyState = { ...anon, auth: 'verified' };

  it('refuses flows that are not in the agent version', () => {
    expect(policy.check({ type: 'start_flow', flowId: 'banks.open_account', reason: 'x' }, verified)).toMatchObject({ allowed: false, rule: 'flow_exists' });
    expect(policy.check({ type: 'ask_clarification', candidateFlowId: 'nope.nope', reason: 'x' }, verified)).toMatchObject({ allowed: false, rule: 'flow_exists' });
  });

  it('refuses sensitive or transactional flows before verification (identified by ANI is not enough)', () => {
    expect(policy.check({ type: 'start_flow', flowId: 'banks.transfer_money', reason: 'x' }, anon)).toMatchObject({ allowed: false, rule: 'auth_required' });
    expect(policy.check({ type: 'start_flow', flowId: 'hotels.reserve_hotel', reason: 'x' }, anon)).toMatchObject({ allowed: false, rule: 'auth_required' });
    expect(policy.check({ type: 'start_flow', flowId: 'banks.transfer_money', reason: 'x' }, verified)).toEqual({ allowed: true });
    expect(policy.check({ type: 'start_flow', flowId: 'hotels.search_hotel', reason: 'x' }, anon)).toEqual({ allowed: true });
  });

  it('refuses leaving a pending confirmation or a verification in progress', () => {
    const confirming = { ...verified, pendingConfirmation: true, activeFlowId: 'banks.transfer_money' };
    expect(policy.check({ type: 'start_flow', flowId: 'hotels.search_hotel', reason: 'x' }, confirming)).toMatchObject({ allowed: false, rule: 'pending_confirmation' });
    expect(policy.check({ type: 'ask_clarification', candidateFlowId: 'hotels.search_hotel', reason: 'x' }, confirming)).toMatchObject({ allowed: false, rule: 'pending_confirmation' });
    expect(policy.check({ type: 'start_flow', flowId: 'hotels.search_hotel', reason: 'x' }, { ...anon, verifyingIdentity: true })).toMatchObject({ allowed: false, rule: 'verification_in_progress' });
    expect(policy.check({ type: 'escalate', reason: 'caller upset' }, confirming)).toEqual({ allowed: true });
  });

  it('answers must be covered, cited and grounded', () => {
    const hits = [{ id: 'p1', title: 't', text: 'x', score: 1 }];
    const covered = { covered: true, text: 'Returns are free.', citations: [{ articleId: 'a1' }], confidence: 0.9 };
    const p: Proposal = { type: 'answer_from_knowledge', reason: 'x' };
    expect(policy.check(p, anon, { answer: covered, hits, grounding: null })).toEqual({ allowed: true });
    expect(policy.check(p, anon, { answer: { ...covered, citations: [] }, hits, grounding: null })).toMatchObject({ allowed: false, rule: 'grounded_answer' });
    expect(policy.check(p, anon, { answer: covered, hits, grounding: { grounded: false, score: 0.2 } })).toMatchObject({ allowed: false, rule: 'grounded_answer' });
    expect(policy.check(p, anon)).toMatchObject({ allowed: false, rule: 'grounded_answer' });
  });

  it('LLM clarification questions may not carry personal data, figures or claims', () => {
    const q = (question: string) => policy.check({ type: 'ask_clarification', question, reason: 'x' }, anon);
    expect(q('Do you want to check a balance or make a transfer?')).toEqual({ allowed: true });
    expect(q('Is your email jane@example.com?')).toMatchObject({ allowed: false, rule: 'clarification_text' });
    expect(q('Is your balance 4200 dollars?')).toMatchObject({ allowed: false, rule: 'clarification_text' });
    expect(q('I have transferred the money, anything else?')).toMatchObject({ allowed: false, rule: 'clarification_text' });
    expect(q('Tell me more.')).toMatchObject({ allowed: false, rule: 'clarification_text' });
  });
});

describe('governed proposals in the engine', () => {
  it('a forbidden start_flow (unverified caller) is refused, audited, and the deterministic proposer answers', async () => {
    const llm = new ScriptedProposer(() => ({ type: 'start_flow', flowId: 'banks.transfer_money', reason: 'caller wants to move money' }));
    const fx = demoEngine({ proposer: llm });
    const { session } = await fx.engine.startSession({ callId: 'g1', callerAni: '+15625550119' });
    const d = await session.handleTurn({ text: 'something about money' });
    expect(d).toMatchObject({ kind: 'clarify', source: 'deterministic', reason: 'did_you_mean' });
    expect(d.text).toMatch(/would you like help with make payment\?/i);
    expect(session.state.flow).toBeNull();
    const event = fx.audit.events.at(-1)!;
    expect(event).toMatchObject({
      source: 'deterministic',
      modelId: 'test-model',
      promptHash: 'a'.repeat(64),
      kbSnapshotHash: 'f'.repeat(64),
      fallback: 'policy_refused:auth_required',
      refused: { proposal: { type: 'start_flow', flowId: 'banks.transfer_money' }, rule: 'auth_required' },
      proposal: { type: 'ask_clarification', candidateFlowId: 'payment.make_payment' },
      policy: { allowed: true },
    });
  });

  it('an unknown flow from the LLM is refused', async () => {
    const fx = demoEngine({ proposer: new ScriptedProposer(() => ({ type: 'start_flow', flowId: 'banks.open_account', reason: 'x' })) });
    const { session } = await fx.engine.startSession({ callId: 'g2' });
    await session.handleTurn({ text: 'hmm I am not sure what I need' });
    expect(fx.audit.events.at(-1)!.refused).toMatchObject({ rule: 'flow_exists' });
  });

  it('an allowed LLM proposal is executed (non-sensitive flow, anonymous caller)', async () => {
    const fx = demoEngine({ proposer: new ScriptedProposer(() => ({ type: 'start_flow', flowId: 'hotels.search_hotel', reason: 'caller needs a room' })) });
    const { session } = await fx.engine.startSession({ callId: 'g3' });
    const d = await session.handleTurn({ text: 'I need somewhere to sleep in Paris' });
    expect(d).toMatchObject({ kind: 'ask_slot', source: 'llm', flowId: 'hotels.search_hotel' });
    expect(fx.audit.events.at(-1)).toMatchObject({ source: 'llm', proposal: { type: 'start_flow' }, policy: { allowed: true } });
  });

  it('cannot leave a pending confirmation: the refused switch falls back to re-asking yes/no', async () => {
    const llm = new ScriptedProposer(() => ({ type: 'start_flow', flowId: 'flights.search_oneway_flight', reason: 'caller mentions a flight' }));
    const fx = demoEngine({ proposer: llm });
    const { session } = await fx.engine.startSession({ callId: 'g4', callerAni: '+15625550119' });
    await session.handleTurn({ text: 'transfer 50 dollars to Maria from checking' });
    await session.handleTurn({ text: customer.accountId });
    expect((await session.handleTurn({ text: customer.zip })).kind).toBe('confirm');
    const d = await session.handleTurn({ text: 'hmm and what about my flight' });
    expect(d).toMatchObject({ kind: 'clarify', source: 'deterministic' });
    expect(d.text).toMatch(/yes or no/);
    expect(d.text).toMatch(/Shall I go ahead\?/);
    expect(session.state.flow?.awaiting).toEqual({ kind: 'confirm' });
    expect(fx.audit.events.at(-1)!.refused).toMatchObject({ rule: 'pending_confirmation' });
    expect(fx.runner.executions).toHaveLength(0);
    expect((await session.handleTurn({ text: 'yes' })).actionResults[0]!.ok).toBe(true);
  });

  it('answers from the knowledge base with citations, then re-asks the pending question', async () => {
    const fx = demoEngine({ proposer: new ScriptedProposer(() => ({ type: 'answer_from_knowledge', reason: 'policy question' })) });
    const { session } = await fx.engine.startSession({ callId: 'g5' });
    await session.handleTurn({ text: 'I need a hotel' }).catch(() => undefined);
    const d = await session.handleTurn({ text: 'how long does express shipping take?' });
    expect(d).toMatchObject({ kind: 'answer', source: 'llm' });
    expect(d.citations).toEqual([{ passageId: 'kb:shipping#1', articleId: 'kb:shipping' }]);
    expect(d.text).toContain('Standard shipping takes 5 to 7 business days.');
  });

  it('an ungrounded answer is refused twice and the call escalates cleanly', async () => {
    const knowledge = new FakeKnowledge();
    Object.assign(knowledge, { checkGrounding: () => ({ grounded: false, score: 0.1 }) });
    const fx = demoEngine({ knowledge, proposer: new ScriptedProposer(() => ({ type: 'answer_from_knowledge', reason: 'q' })) });
    const { session } = await fx.engine.startSession({ callId: 'g6' });
    const d = await session.handleTurn({ text: 'how long does shipping take?' });
    expect(d).toMatchObject({ kind: 'escalate', reason: 'policy_refused', source: 'policy' });
    expect(d.handoff?.escalation.reason).toBe('policy_refused');
  });

  it('LLM errors fall back to the deterministic proposer within the turn', async () => {
    const fx = demoEngine({ proposer: new ScriptedProposer(() => new ProposerError('overloaded', 'the Messages API is overloaded (529)', 'b'.repeat(64), 529)) });
    const { session } = await fx.engine.startSession({ callId: 'g7' });
    const d = await session.handleTurn({ text: 'how long does shipping take?' });
    expect(d).toMatchObject({ kind: 'answer', source: 'deterministic' });
    expect(fx.audit.events.at(-1)).toMatchObject({ fallback: expect.stringMatching(/^overloaded/), promptHash: 'b'.repeat(64), modelId: 'test-model' });
  });

  it('a proposer that ignores its abort signal is cut off by the engine', async () => {
    const hanging: NextStepProposer = { kind: 'llm', modelId: 'stuck', propose: () => new Promise<never>(() => undefined) };
    const fx = demoEngine({ proposer: hanging }, { llmTimeoutMs: 100 });
    const { session } = await fx.engine.startSession({ callId: 'g-hang' });
    const started = Date.now();
    const d = await session.handleTurn({ text: 'how long does shipping take?' });
    expect(d).toMatchObject({ kind: 'answer', source: 'deterministic' });
    expect(Date.now() - started).toBeLessThan(1500);
    expect(fx.audit.events.at(-1)!.fallback).toMatch(/^timeout/);
  });

  it('the model only ever sees redacted text', async () => {
    const llm = new ScriptedProposer(() => ({ type: 'escalate', reason: 'caller upset' }));
    const fx = demoEngine({ proposer: llm });
    const { session } = await fx.engine.startSession({ callId: 'g8' });
    await session.handleTurn({ text: 'my email is jane.doe@example.com and nothing works' });
    expect(llm.seen[0]!.utterance).toContain('[EMAIL]');
    expect(JSON.stringify(llm.seen[0])).not.toContain('jane.doe@example.com');
  });

  it('"did you mean" → yes starts the flow', async () => {
    const fx = demoEngine();
    const { session } = await fx.engine.startSession({ callId: 'g9' });
    let d = await session.handleTurn({ text: 'something with a bus' });
    expect(d.reason).toBe('did_you_mean');
    d = await session.handleTurn({ text: 'yes' });
    expect(d).toMatchObject({ kind: 'ask_slot', flowId: 'buses.find_bus' });
  });

  it('the deterministic proposer escalates a caller who is upset and not understood', () => {
    const p = new DeterministicProposer().decide({
      utterance: 'argh',
      turn: 3,
      intents: [],
      outOfScope: true,
      knowledge: [],
      sentiment: { latest: -0.9, average: -0.5 },
      state: { activeFlow: null, pendingConfirmation: false, verifyingIdentity: false, auth: 'anonymous', nonUnderstanding: 1, outOfScopeTurns: 0 },
      flows: [],
      thresholds: { intent: 0.6, suggest: 0.35, retrieval: 0.4 },
    });
    expect(p).toEqual({ type: 'escalate', reason: 'negative_sentiment' });
  });
});

describe('agent version checks', () => {
  it('rejects a version without the prompts or threshold the engine needs', async () => {
    const { engine } = demoEngine();
    const base = engine.agentVersion;
    const { DialogueEngine } = await import('./engine.ts');
    expect(() => new DialogueEngine({ ...base, prompts: { system: 's' } }, engine.deps)).toThrow(/prompts\.greeting: is required/);
    expect(() => new DialogueEngine({ ...base, thresholds: {} }, engine.deps)).toThrow(/thresholds\.intent_confidence/);
  });
});

describe('actions inside flows', () => {
  it('an open circuit sends the flow down its failure path without calling the back office', async () => {
    let calls = 0;
    const down: ActionRunner = {
      actions: DEMO_ACTIONS,
      run: async () => {
        calls++;
        throw new Error('CRM unavailable');
      },
    };
    const fx = demoEngine({ actions: down }, { resilience: { retries: 0, breakerThreshold: 1, initialDelayMs: 1, timeoutMs: 100 } });
    const run = async (callId: string) => {
      const { session } = await fx.engine.startSession({ callId, callerAni: '+15625550119' });
      await session.handleTurn({ text: 'transfer 50 dollars to Maria from checking' });
      await session.handleTurn({ text: customer.accountId });
      await session.handleTurn({ text: customer.zip });
      return session.handleTurn({ text: 'yes' });
    };
    const a = await run('cb1');
    expect(a.actionResults[0]).toMatchObject({ ok: false, error: 'CRM unavailable', circuit: 'open' });
    const b = await run('cb2');
    expect(b.actionResults[0]).toMatchObject({ ok: false, error: 'circuit_open', attempts: 0 });
    expect(b.text).toMatch(/could not complete that/);
    expect(calls).toBe(1);
  });
});
