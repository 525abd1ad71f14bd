import { describe, expect, test } from 'vitest';
import { CallAdmission } from './admission.ts';
import { analyticsIdempotencyKey } from './analytics-sink.ts';
import { KeywordPolicy, type PolicyContext } from './policy.ts';

const ctx = (over: Partial<PolicyContext> = {}): PolicyContext => ({
  callId: 'c',
  tenantId: 't',
  turnIndex: 1,
  source: 'speech',
  history: [],
  parameters: {},
  state: {},
  signal: new AbortController().signal,
  ...over,
});

describe('KeywordPolicy (stand-in)', () => {
  test('greets, places a few intents, transfers on request, ends on goodbye', () => {
    const p = new KeywordPolicy();
    expect(p.greeting().text).toMatch(/How can I help/);
    expect(p.respond('hello', ctx())).toMatchObject({ intent: 'greeting' });
    expect(p.respond('where is my package', ctx())).toMatchObject({ intent: 'order_status' });
    expect(p.respond('I forgot my password', ctx())).toMatchObject({ intent: 'account_access' });
    for (const ask of ['can I talk to an agent', 'a human please', 'representative', 'operator']) {
      expect(p.respond(ask, ctx())).toMatchObject({ intent: 'request_human', escalate: { reason: 'caller_requested_human' } });
    }
    expect(p.respond('no thanks goodbye', ctx())).toMatchObject({ intent: 'goodbye', endCall: true });
  });

  test('asks for the account number with a digits grammar, takes it spoken or keyed', () => {
    const p = new KeywordPolicy();
    const c = ctx();
    expect(p.respond('question about my bill', c)).toMatchObject({ intent: 'billing', grammar: 'digits' });
    expect(p.respond('4 5 6 7', c)).toMatchObject({ intent: 'provide_account_number', slots: { account_number: '4567' } });
    const d = ctx({ source: 'dtmf' });
    p.respond('my bill', d);
    expect(p.respond('98765', d).text).toMatch(/ending in 6 5/);
  });

  test('escalates after repeated no-match', () => {
    const p = new KeywordPolicy({ maxNoMatch: 2 });
    const c = ctx();
    expect(p.respond('', c)).toMatchObject({ intent: 'no_match' });
    expect(p.respond('blah', c)).toMatchObject({ intent: 'no_match', escalate: { reason: 'repeated_no_match' } });
  });
});

describe('CallAdmission', () => {
  test('admits up to the limit, refuses and counts the rest, releases idempotently', () => {
    const a = new CallAdmission(2);
    const l1 = a.tryAcquire('a')!;
    expect(a.tryAcquire('a')).toBeUndefined(); // same call twice
    expect(a.tryAcquire('b')).toBeDefined();
    expect(a.tryAcquire('c')).toBeUndefined();
    expect(a.stats).toEqual({ max: 2, active: 2, admitted: 2, refused: 2 });
    l1.release();
    l1.release();
    expect(a.stats.active).toBe(1);
    expect(a.tryAcquire('c')).toBeDefined();
    expect(() => new CallAdmission(-1)).toThrow();
  });

  test('analytics idempotency keys stay within what BullMQ accepts', () => {
    expect(analyticsIdempotencyKey('acme', 'call/1 x')).toBe('call.acme.call_1_x');
  });
});
