import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { contentHash } from '@cc/seed';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ClaudeProposer, proposerFromConfig } from './claude.ts';
import { ProposerError } from './proposer.ts';
import { demoEngine } from './test-support.ts';

/**
 * A local server that speaks the Messages API (SSE streaming like Anthropic's, tool_use blocks).
 * Each test picks how it answers. Nothing here reaches the internet.
 */

type Scenario = (req: IncomingMessage, res: ServerResponse, body: Record<string, unknown>) => void;

let server: Server;
let baseURL: string;
let scenario: Scenario;
const requests: { headers: IncomingMessage['headers']; body: Record<string, unknown>; url: string }[] = [];
const sockets = new Set<Socket>();

function sse(res: ServerResponse, events: [string, unknown][]): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', 'request-id': 'req_test' });
  for (const [event, data] of events) res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  res.end();
}

function messageStart(model: string) {
  return ['message_start', { type: 'message_start', message: { id: 'msg_test', type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 100, output_tokens: 1 } } }] as [string, unknown];
}

function toolCall(name: string, jsonChunks: string[]): Scenario {
  return (_req, res, body) =>
    sse(res, [
      messageStart(String(body.model)),
      ['content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'tool_use', id: 'toolu_test', name, input: {} } }],
      ...jsonChunks.map((partial_json): [string, unknown] => ['content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json } }]),
      ['content_block_stop', { type: 'content_block_stop', index: 0 }],
      ['message_delta', { type: 'message_delta', delta: { stop_reason: 'tool_use', stop_sequence: null }, usage: { output_tokens: 30 } }],
      ['message_stop', { type: 'message_stop' }],
    ]);
}

function httpError(status: number, type: string, message: string): Scenario {
  return (_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json', 'request-id': 'req_err' });
    res.end(JSON.stringify({ type: 'error', error: { type, message } }));
  };
}

beforeAll(async () => {
  server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
      requests.push({ headers: req.headers, body, url: req.url ?? '' });
      scenario(req, res, body);
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  if (!addr || typeof addr === 'string') throw new Error('no port');
  baseURL = `http://127.0.0.1:${addr.port}`;
});

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  requests.length = 0;
});

function claudeEngine(timeoutMs = 400) {
  const proposer = new ClaudeProposer({ apiKey: 'test-key', baseURL, model: 'claude-test-model', systemPrompt: 'You are the AcmeCorp voice assistant.', timeoutMs });
  return demoEngine({ proposer }, { llmTimeoutMs: timeoutMs });
}

async function turn(text: string, timeoutMs?: number) {
  const fx = claudeEngine(timeoutMs);
  const { session } = await fx.engine.startSession({ callId: `claude-${Math.random().toString(36).slice(2)}` });
  const started = Date.now();
  const decision = await session.handleTurn({ text });
  return { fx, session, decision, elapsed: Date.now() - started, audit: fx.audit.events.at(-1)! };
}

const AMBIGUOUS = 'I need somewhere to sleep in Paris';

describe('ClaudeProposer against a local Messages API server', () => {
  it('a good tool call is validated by the policy and executed', async () => {
    scenario = toolCall('start_flow', ['{"flow_id": "hotels.se', 'arch_hotel", "reason": "caller needs ', 'a hotel room"}']);
    const { decision, audit } = await turn(AMBIGUOUS);
    expect(decision).toMatchObject({ kind: 'ask_slot', source: 'llm', flowId: 'hotels.search_hotel' });
    expect(audit).toMatchObject({ source: 'llm', modelId: 'claude-test-model', proposal: { type: 'start_flow', flowId: 'hotels.search_hotel' }, policy: { allowed: true } });
    // The request: streamed Messages API with the four tools, the model and the key.
    expect(requests).toHaveLength(1);
    const { body, headers, url } = requests[0]!;
    expect(url).toBe('/v1/messages');
    // The SDK sends the key as x-api-key or as a bearer token, depending on its version.
    expect(`${headers['x-api-key'] ?? ''} ${headers.authorization ?? ''}`).toContain('test-key');
    expect(body).toMatchObject({ model: 'claude-test-model', stream: true, tool_choice: { type: 'any' } });
    expect((body.tools as { name: string }[]).map((t) => t.name)).toEqual(['answer_from_knowledge', 'start_flow', 'ask_clarification', 'escalate']);
    expect(String(body.system)).toContain('AcmeCorp voice assistant');
    // The audited prompt hash is the sha256 of exactly what was sent.
    const { stream: _stream, ...prompt } = body;
    expect(audit.promptHash).toBe(contentHash(prompt));
    expect(audit.promptHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('a forbidden transition is refused by the policy and the deterministic proposer takes over', async () => {
    scenario = toolCall('start_flow', ['{"flow_id": "banks.transfer_money", "reason": "move money"}']);
    const { decision, audit, fx } = await turn('something about money');
    expect(decision).toMatchObject({ source: 'deterministic', kind: 'clarify' });
    expect(audit.refused).toMatchObject({ rule: 'auth_required', proposal: { type: 'start_flow', flowId: 'banks.transfer_money' } });
    expect(fx.runner.executions).toHaveLength(0);
  });

  it('a timeout falls back within the turn', async () => {
    scenario = () => undefined; // never answers
    const { decision, audit, elapsed } = await turn(AMBIGUOUS, 300);
    expect(decision.source).toBe('deterministic');
    expect(decision.kind).toBe('clarify');
    expect(audit.fallback).toMatch(/^timeout/);
    expect(elapsed).toBeLessThan(2000);
    expect(decision.timings.llm).toBeGreaterThanOrEqual(250);
  });

  it('a stream that stalls after it started also times out', async () => {
    scenario = (_req, res, body) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const [event, data] = messageStart(String(body.model));
      res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    };
    const { audit, elapsed } = await turn(AMBIGUOUS, 300);
    expect(audit.fallback).toMatch(/^timeout/);
    expect(elapsed).toBeLessThan(2000);
  });

  it('HTTP 429 falls back (no retry inside the turn)', async () => {
    scenario = httpError(429, 'rate_limit_error', 'Number of requests has exceeded your rate limit');
    const { decision, audit } = await turn(AMBIGUOUS);
    expect(decision.source).toBe('deterministic');
    expect(audit.fallback).toMatch(/^rate_limited/);
    expect(requests).toHaveLength(1);
  });

  it('HTTP 529 (overloaded) falls back', async () => {
    scenario = httpError(529, 'overloaded_error', 'Overloaded');
    const { decision, audit } = await turn('how long does shipping take?');
    expect(decision).toMatchObject({ source: 'deterministic', kind: 'answer' });
    expect(audit.fallback).toMatch(/^overloaded/);
  });

  it('an error event in the stream falls back', async () => {
    scenario = (_req, res, body) => sse(res, [messageStart(String(body.model)), ['error', { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }]]);
    const { decision, audit } = await turn(AMBIGUOUS);
    expect(decision.source).toBe('deterministic');
    expect(audit.fallback).toBeDefined();
  });

  it('malformed tool calls fall back: bad JSON, unknown tool, missing fields, no tool call', async () => {
    const cases: [Scenario, RegExp][] = [
      [toolCall('start_flow', ['{"flow_id": "hotels.search_hotel", "rea', 'son": }}} not json']), /^(invalid_tool_input|malformed_response)/],
      [toolCall('delete_account', ['{"reason": "because"}']), /^unknown_tool/],
      [toolCall('start_flow', ['{"reason": "no flow id"}']), /^invalid_tool_input/],
      [toolCall('ask_clarification', ['{}']), /^invalid_tool_input/],
      [
        (_req, res, body) =>
          sse(res, [
            messageStart(String(body.model)),
            ['content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }],
            ['content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Sure, I will transfer the money now.' } }],
            ['content_block_stop', { type: 'content_block_stop', index: 0 }],
            ['message_delta', { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 9 } }],
            ['message_stop', { type: 'message_stop' }],
          ]),
        /^no_tool_call/,
      ],
      [(_req, res) => (res.writeHead(200, { 'content-type': 'text/event-stream' }), res.end('data: {not json\n\n')), /./],
    ];
    for (const [sc, fallback] of cases) {
      scenario = sc;
      const { decision, audit } = await turn(AMBIGUOUS);
      expect(decision.source, String(fallback)).toBe('deterministic');
      expect(['clarify', 'answer', 'escalate']).toContain(decision.kind);
      expect(decision.text).not.toMatch(/transfer the money/);
      expect(audit.fallback, String(fallback)).toMatch(fallback);
      expect(audit.promptHash).toMatch(/^[0-9a-f]{64}$/);
    }
  });

  it('maps failures to typed ProposerErrors', async () => {
    scenario = httpError(500, 'api_error', 'boom');
    const p = new ClaudeProposer({ apiKey: 'k', baseURL, model: 'm', systemPrompt: 's', timeoutMs: 500 });
    const ctx = {
      utterance: 'hi',
      turn: 1,
      intents: [],
      outOfScope: true,
      knowledge: [],
      sentiment: { latest: null, average: null },
      state: { activeFlow: null, pendingConfirmation: false, verifyingIdentity: false, auth: 'anonymous' as const, nonUnderstanding: 0, outOfScopeTurns: 0 },
      flows: [],
      thresholds: { intent: 0.6, suggest: 0.35, retrieval: 0.4 },
    };
    const err = await p.propose(ctx).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProposerError);
    expect(err).toMatchObject({ failure: 'http_error', status: 500 });
    scenario = toolCall('escalate', ['{"reason": "caller is upset"}']);
    await expect(p.propose(ctx)).resolves.toMatchObject({ proposal: { type: 'escalate', reason: 'caller is upset' }, modelId: 'm' });
  });

  it('is only built when ANTHROPIC_API_KEY is set', () => {
    expect(proposerFromConfig({ ANTHROPIC_MODEL: 'claude-sonnet-4-5' }, 'sys')).toBeNull();
    const p = proposerFromConfig({ ANTHROPIC_API_KEY: 'k', ANTHROPIC_BASE_URL: baseURL, ANTHROPIC_MODEL: 'claude-x' }, 'sys');
    expect(p?.modelId).toBe('claude-x');
  });
});
