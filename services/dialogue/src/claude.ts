import Anthropic, { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from '@anthropic-ai/sdk';
import { contentHash } from '@cc/seed';
import { z } from 'zod';
import { ProposerError, type NextStepProposer, type ProposalContext, type ProposeOptions, type Proposal, type ProposerResult } from './proposer.ts';

/**
 * The LLM proposer: Claude through the Messages API (streamed), with four tools — one per kind of
 * next step. The model only proposes; DialoguePolicy decides. Any failure (timeout, HTTP 429/529,
 * a malformed or unknown tool call) is a ProposerError, and the engine falls back to the
 * deterministic proposer within the same turn.
 */

export interface ClaudeProposerOptions {
  apiKey: string;
  /** Messages API base URL (ANTHROPIC_BASE_URL); the SDK default when absent. */
  baseURL?: string;
  /** ANTHROPIC_MODEL. */
  model: string;
  /** Agent persona / rules (the agent version's system prompt). */
  systemPrompt: string;
  /** Hard limit for one proposal, end to end (default 4000 ms). */
  timeoutMs?: number;
  maxTokens?: number;
  /** An existing client (tests, shared connection pools). */
  client?: Anthropic;
}

export const PROPOSER_TOOLS = [
  {
    name: 'answer_from_knowledge',
    description:
      'Answer the caller from the knowledge base. The platform retrieves the passages and speaks an extractive, cited answer; you only say what to look up. Use for policy, pricing, shipping or product questions.',
    input_schema: {
      type: 'object' as const,
      properties: {
        query: { type: 'string', description: 'What to look up (defaults to the caller utterance).' },
        reason: { type: 'string', description: 'Why this is the right next step.' },
      },
      required: ['reason'],
    },
  },
  {
    name: 'start_flow',
    description:
      'Start one of the listed flows of this agent. Only flow ids from the list are valid. Flows marked requires_auth can only start for a verified caller; otherwise propose ask_clarification with the candidate flow.',
    input_schema: {
      type: 'object' as const,
      properties: { flow_id: { type: 'string' }, reason: { type: 'string' } },
      required: ['flow_id', 'reason'],
    },
  },
  {
    name: 'ask_clarification',
    description:
      'Ask the caller one short question (under 200 characters, ending with a question mark, no figures or personal data). Set candidate_flow_id when asking "did you mean …" for a listed flow.',
    input_schema: {
      type: 'object' as const,
      properties: { question: { type: 'string' }, candidate_flow_id: { type: 'string' }, reason: { type: 'string' } },
      required: ['question', 'reason'],
    },
  },
  {
    name: 'escalate',
    description: 'Hand the call to a human agent (caller upset, request outside what the agent can do, repeated misunderstanding).',
    input_schema: {
      type: 'object' as const,
      properties: { reason: { type: 'string' } },
      required: ['reason'],
    },
  },
];

const ToolInputs = {
  answer_from_knowledge: z.object({ query: z.string().optional(), reason: z.string().min(1) }),
  start_flow: z.object({ flow_id: z.string().min(1), reason: z.string().min(1) }),
  ask_clarification: z.object({ question: z.string().min(1), candidate_flow_id: z.string().min(1).optional(), reason: z.string().min(1) }),
  escalate: z.object({ reason: z.string().min(1) }),
} as const;

const GOVERNANCE = [
  'You are the orchestrator of a governed voice agent. For the caller turn you are given, choose the next step by calling exactly one tool.',
  'You never speak to the caller except through ask_clarification; answers are composed from the knowledge base by the platform.',
  'Rules: only start listed flows; never start a requires_auth flow unless the caller is verified; never abandon a pending confirmation;',
  'do not invent facts, prices, fees or account data; escalate when the caller is upset or asks for something outside the listed flows and knowledge.',
  'Every proposal is checked by a policy layer and refused proposals are not executed.',
].join(' ');

/** The prompt, deterministic for a given context (its sha256 goes to the audit log). */
export function buildProposerRequest(ctx: ProposalContext, opts: { model: string; systemPrompt: string; maxTokens: number }) {
  const payload = {
    caller_utterance: ctx.utterance,
    turn: ctx.turn,
    state: {
      active_flow: ctx.state.activeFlow,
      pending_confirmation: ctx.state.pendingConfirmation,
      verifying_identity: ctx.state.verifyingIdentity,
      caller_auth: ctx.state.auth,
      consecutive_misunderstandings: ctx.state.nonUnderstanding,
      out_of_scope_turns: ctx.state.outOfScopeTurns,
    },
    intent_candidates: ctx.intents.slice(0, 5).map((i) => ({ flow_id: i.intent, confidence: Number(i.confidence.toFixed(3)) })),
    classifier_out_of_scope: ctx.outOfScope,
    knowledge: ctx.knowledge.slice(0, 4).map((k) => ({ id: k.id, title: k.title, score: Number(k.score.toFixed(3)), snippet: k.snippet })),
    sentiment: ctx.sentiment,
    flows: ctx.flows.map((f) => ({ id: f.id, title: f.title, requires_auth: f.requiresAuth })),
  };
  return {
    model: opts.model,
    max_tokens: opts.maxTokens,
    system: `${opts.systemPrompt}\n\n${GOVERNANCE}`,
    tools: PROPOSER_TOOLS,
    tool_choice: { type: 'any' as const },
    messages: [{ role: 'user' as const, content: JSON.stringify(payload) }],
  };
}

export function toolCallToProposal(name: string, input: unknown, promptHash: string): Proposal {
  if (!(name in ToolInputs)) throw new ProposerError('unknown_tool', `the model called an unknown tool "${name}"`, promptHash);
  const parsed = ToolInputs[name as keyof typeof ToolInputs].safeParse(input);
  if (!parsed.success) throw new ProposerError('invalid_tool_input', `tool ${name} input is invalid: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'} ${i.message}`).join('; ')}`, promptHash);
  const v = parsed.data as Record<string, string | undefined>;
  switch (name) {
    case 'answer_from_knowledge':
      return { type: 'answer_from_knowledge', reason: v.reason!, ...(v.query?.trim() ? { query: v.query.trim() } : {}) };
    case 'start_flow':
      return { type: 'start_flow', flowId: v.flow_id!, reason: v.reason! };
    case 'ask_clarification':
      return { type: 'ask_clarification', question: v.question!, reason: v.reason!, ...(v.candidate_flow_id ? { candidateFlowId: v.candidate_flow_id } : {}) };
    default:
      return { type: 'escalate', reason: v.reason! };
  }
}

function classify(err: unknown, promptHash: string): ProposerError {
  if (err instanceof ProposerError) return err;
  if (err instanceof APIConnectionTimeoutError) return new ProposerError('timeout', 'the Messages API did not answer in time', promptHash);
  if (err instanceof APIUserAbortError) return new ProposerError('aborted', 'the request was aborted', promptHash);
  if (err instanceof APIConnectionError) return new ProposerError('connection', `cannot reach the Messages API: ${err.message}`, promptHash);
  if (err instanceof APIError) {
    const status = typeof err.status === 'number' ? err.status : undefined;
    if (status === 429) return new ProposerError('rate_limited', 'the Messages API is rate limiting (429)', promptHash, status);
    if (status === 529) return new ProposerError('overloaded', 'the Messages API is overloaded (529)', promptHash, status);
    if (status === undefined) return new ProposerError('malformed_response', `bad streamed response: ${err.message}`, promptHash);
    return new ProposerError('http_error', `the Messages API answered HTTP ${status}`, promptHash, status);
  }
  const message = err instanceof Error ? err.message : String(err);
  return new ProposerError('malformed_response', `could not read the model's answer: ${message}`, promptHash);
}

export class ClaudeProposer implements NextStepProposer {
  readonly kind = 'llm' as const;
  readonly modelId: string;
  private readonly client: Anthropic;
  private readonly timeoutMs: number;
  private readonly maxTokens: number;

  constructor(private readonly opts: ClaudeProposerOptions) {
    this.modelId = opts.model;
    this.timeoutMs = opts.timeoutMs ?? 4000;
    this.maxTokens = opts.maxTokens ?? 400;
    this.client =
      opts.client ??
      new Anthropic({ apiKey: opts.apiKey, ...(opts.baseURL ? { baseURL: opts.baseURL } : {}), maxRetries: 0, timeout: this.timeoutMs });
  }

  async propose(ctx: ProposalContext, options: ProposeOptions = {}): Promise<ProposerResult> {
    const request = buildProposerRequest(ctx, { model: this.opts.model, systemPrompt: this.opts.systemPrompt, maxTokens: this.maxTokens });
    const promptHash = contentHash(request);
    const controller = new AbortController();
    const onAbort = () => controller.abort();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort();
        reject(new ProposerError('timeout', `no proposal within ${this.timeoutMs} ms`, promptHash));
      }, this.timeoutMs);
    });
    try {
      const call = (async () => {
        const stream = this.client.messages.stream(request, { signal: controller.signal, timeout: this.timeoutMs, maxRetries: 0 });
        return stream.finalMessage();
      })();
      call.catch(() => undefined);
      const message = await Promise.race([call, deadline]);
      const tools = message.content.filter((b) => b.type === 'tool_use');
      const first = tools[0];
      if (!first) throw new ProposerError('no_tool_call', `the model answered without a tool call (stop_reason ${message.stop_reason ?? 'none'})`, promptHash);
      let input: unknown;
      try {
        input = first.input;
      } catch (err) {
        throw new ProposerError('invalid_tool_input', `tool input is not valid JSON: ${err instanceof Error ? err.message : String(err)}`, promptHash);
      }
      return { proposal: toolCallToProposal(first.name, input, promptHash), modelId: this.modelId, promptHash };
    } catch (err) {
      if (controller.signal.aborted && !(err instanceof ProposerError) && !options.signal?.aborted) throw new ProposerError('timeout', `no proposal within ${this.timeoutMs} ms`, promptHash);
      throw classify(err, promptHash);
    } finally {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
    }
  }
}

/** A ClaudeProposer when ANTHROPIC_API_KEY is set, else null (the deterministic proposer stands in). */
export function proposerFromConfig(
  config: { ANTHROPIC_API_KEY?: string | undefined; ANTHROPIC_BASE_URL?: string | undefined; ANTHROPIC_MODEL: string },
  systemPrompt: string,
  options: { timeoutMs?: number } = {},
): ClaudeProposer | null {
  if (!config.ANTHROPIC_API_KEY) return null;
  return new ClaudeProposer({
    apiKey: config.ANTHROPIC_API_KEY,
    ...(config.ANTHROPIC_BASE_URL ? { baseURL: config.ANTHROPIC_BASE_URL } : {}),
    model: config.ANTHROPIC_MODEL,
    systemPrompt,
    ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
  });
}
