/** Governed turns: a proposal (LLM, else deterministic) checked by the policy, then carried out. */
import { errorMessage } from '@cc/core';
import { ANYTHING_ELSE, clarify, currentPrompt, escalate, finish, reprompt } from './decisions.ts';
import type { TurnDecision } from './engine-types.ts';
import { startFlow } from './flow-runner.ts';
import type { MaterialisedAnswer, PolicyState, PolicyVerdict } from './policy.ts';
import type { DecisionSource, IntentPrediction, KnowledgeHit } from './ports.ts';
import { ProposerError, type Proposal, type ProposalContext } from './proposer.ts';
import type { SessionState } from './state.ts';
import { timed, type TurnContext } from './turn-context.ts';

function policyState(s: SessionState): PolicyState {
  return {
    auth: s.auth.status,
    pendingConfirmation: s.flow?.awaiting?.kind === 'confirm',
    verifyingIdentity: s.auth.collecting !== null,
    activeFlowId: s.flow?.id ?? null,
  };
}

export async function governedTurn(t: TurnContext, nlu: IntentPrediction): Promise<TurnDecision> {
  const { s } = t;
  const engine = t.engine;
  {
    const hits = await timed(t, 'retrieval', async () => {
      if (!engine.deps.knowledge) return [] as KnowledgeHit[];
      try {
        return (await engine.deps.knowledge.search(t.text, engine.options.knowledgeTopK)) ?? [];
      } catch {
        return [] as KnowledgeHit[];
      }
    });
    const ctx = proposalContext(t, nlu, hits);
    const pstate = policyState(s);
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
        const checked = await check(t, r.proposal, pstate);
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
      const checked = await check(t, proposal, pstate);
      if (checked.verdict.allowed) chosen = { ...checked, proposal, source: 'deterministic' };
      else {
        t.audit.proposal = proposal;
        t.audit.policy = { allowed: false, rule: checked.verdict.rule, reason: checked.verdict.reason };
        t.source = 'policy';
        return escalate(t, 'policy_refused');
      }
    }
    t.source = chosen.source;
    t.audit.proposal = chosen.proposal;
    t.audit.policy = { allowed: true };
    return execute(t, chosen.proposal, nlu, chosen.materialised);
  }
}

async function check(t: TurnContext, proposal: Proposal, pstate: PolicyState): Promise<{ verdict: PolicyVerdict; materialised?: MaterialisedAnswer }> {
  let materialised: MaterialisedAnswer | undefined;
  if (proposal.type === 'answer_from_knowledge') materialised = await lookUp(t, proposal.query ?? t.text);
  const started = t.engine.now.now();
  const verdict = t.engine.policy.check(proposal, pstate, materialised);
  t.timings.policy += Math.max(0, t.engine.now.now() - started);
  return materialised ? { verdict, materialised } : { verdict };
}

async function lookUp(t: TurnContext, query: string): Promise<MaterialisedAnswer | undefined> {
  const kb = t.engine.deps.knowledge;
  if (!kb) return undefined;
  return timed(t, 'retrieval', async () => {
    try {
      const hits = (await kb.search(query, t.engine.options.knowledgeTopK)) ?? [];
      const answer = await kb.answer(query, hits);
      const grounding = answer.covered && kb.checkGrounding ? await kb.checkGrounding(answer.text, hits) : null;
      return { answer, hits, grounding };
    } catch {
      return undefined;
    }
  });
}

function proposalContext(t: TurnContext, nlu: IntentPrediction, hits: KnowledgeHit[]): ProposalContext {
  const { s } = t;
  const engine = t.engine;
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

async function execute(t: TurnContext, p: Proposal, nlu: IntentPrediction, materialised?: MaterialisedAnswer): Promise<TurnDecision> {
  const { s } = t;
  switch (p.type) {
    case 'escalate':
      return escalate(t, escalationCode(p.reason));
    case 'start_flow':
      if (s.flow?.id === p.flowId) return reprompt(t, 'flow_continued');
      t.confidence = Math.max(t.confidence, nlu.top.find((x) => x.intent === p.flowId)?.confidence ?? 0);
      t.s.lastIntent = { name: p.flowId, confidence: t.confidence };
      return startFlow(t, p.flowId, t.text, 'proposal_start_flow');
    case 'answer_from_knowledge': {
      const a = materialised?.answer;
      if (!a || !a.covered) {
        // Not covered: say so and offer a person — counted like an out-of-scope turn.
        s.failures.outOfScope++;
        if (s.failures.outOfScope > t.engine.options.maxOutOfScopeClarifications) return escalate(t, 'out_of_scope');
        t.parts.push(a?.text ?? "I'm sorry, I don't have information about that. I can connect you with a colleague who can help.");
        s.offeredHuman = true;
        return finish(t, 'clarify', 'knowledge_not_covered');
      }
      s.failures.nonUnderstanding = 0;
      s.failures.outOfScope = 0;
      t.parts.push(a.text);
      t.citations = a.citations;
      const again = currentPrompt(t);
      if (again) t.parts.push(again);
      else {
        t.parts.push(ANYTHING_ELSE);
        s.lastPrompt = 'anything_else';
      }
      return finish(t, 'answer', 'answered_from_knowledge');
    }
    case 'ask_clarification': {
      const outOfScope = nlu.outOfScope || (!nlu.intent && nlu.top.length === 0);
      if (outOfScope && !s.flow) {
        s.failures.outOfScope++;
        if (s.failures.outOfScope > t.engine.options.maxOutOfScopeClarifications) return escalate(t, 'out_of_scope');
      }
      if (p.candidateFlowId) {
        const flow = t.engine.flows.get(p.candidateFlowId)!;
        s.candidateFlow = flow.id;
        const question = p.question ?? `Just to check: would you like help with ${flow.title.replace(/^[^:]*:\s*/, '').toLowerCase()}?`;
        return clarify(t, 'did_you_mean', '', question);
      }
      if (p.question) return clarify(t, outOfScope ? 'out_of_scope' : 'not_understood', '', p.question);
      // Something is pending (a detail, a confirmation, a verification): ask it again.
      if (currentPrompt(t)) return clarify(t, 'not_understood', "Sorry, I didn't quite get that.");
      const question = outOfScope
        ? 'I can help with orders, accounts, subscriptions, returns, payments and bookings. What would you like to do?'
        : t.engine.prompts.fallback;
      return clarify(t, outOfScope ? 'out_of_scope' : 'not_understood', '', question);
    }
  }
}

function escalationCode(reason: string): string {
  const known = ['negative_sentiment', 'out_of_scope', 'caller_requested_human', 'repeated_non_understanding'];
  const hit = known.find((k) => reason.toLowerCase().includes(k) || reason.toLowerCase().includes(k.replace(/_/g, ' ')));
  return hit ?? 'agent_decision';
}
