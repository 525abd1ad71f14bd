import { ValidationError } from '@cc/core';
import { describe, expect, it } from 'vitest';
import { DemoActionRunner } from './demo-actions.ts';
import { HandoffPackageSchema } from './handoff.ts';
import { demoCustomer, demoEngine } from './test-support.ts';

const customer = demoCustomer();
const ANI = '+1 562 555 0119';

async function verified(fx = demoEngine(), callId = 'call-1') {
  const { session } = await fx.engine.startSession({ callId, callerAni: ANI, tenantId: 't1' });
  return { ...fx, session };
}

describe('Banks TransferMoney end to end (demo flow definitions)', () => {
  it('intent → verification → slots one by one → confirm → action → notify', async () => {
    const fx = demoEngine();
    const { session, greeting } = await fx.engine.startSession({ callId: 'call-tx', callerAni: ANI, tenantId: 't1' });
    expect(greeting.text).toMatch(/Thank you for calling/);
    expect(session.state.auth).toMatchObject({ status: 'identified', customerRef: customer.externalId, identifiedBy: 'ani' });

    let d = await session.handleTurn({ text: 'I need to transfer some money' });
    expect(d).toMatchObject({ kind: 'ask_slot', reason: 'authentication_required', intent: 'banks.transfer_money' });
    expect(d.confidence).toBeGreaterThanOrEqual(0.6);
    expect(d.text).toMatch(/account ID/);
    expect(d.text).not.toContain(customer.fullName.split(' ')[0]!);

    d = await session.handleTurn({ text: `It's ${customer.accountId}` });
    expect(d).toMatchObject({ kind: 'ask_slot', reason: 'ask_zip' });
    d = await session.handleTurn({ text: `${customer.zip}` });
    expect(d.text).toMatch(/you are verified/);
    expect(d).toMatchObject({ kind: 'ask_slot', reason: 'ask_account_type', flowId: 'banks.transfer_money' });
    expect(d.text).toContain('checking or savings');

    d = await session.handleTurn({ text: 'checking please' });
    expect(d).toMatchObject({ kind: 'ask_slot', reason: 'ask_amount', slots: { account_type: 'checking' } });
    d = await session.handleTurn({ text: '$150' });
    expect(d).toMatchObject({ kind: 'ask_slot', reason: 'ask_recipient_account_name' });
    d = await session.handleTurn({ text: 'Abhinav' });
    expect(d.kind).toBe('confirm');
    expect(d.text).toContain('from account: checking, amount: $150, recipient: Abhinav');
    expect(d.text).toContain("recipient's account: checking");
    expect(fx.runner.executions).toHaveLength(0);

    d = await session.handleTurn({ text: 'yes, go ahead' });
    expect(d.kind).toBe('run_action');
    expect(d.actionResults).toHaveLength(1);
    expect(d.actionResults[0]).toMatchObject({ action: 'TransferMoney', ok: true, idempotencyKey: 'call-tx:banks.transfer_money:call', deduplicated: false });
    expect(d.text).toMatch(/^Done: transfer money/);
    expect(d.text).toMatch(/anything else/);
    expect(d.reason).toBe('flow_success');
    expect(d.timings).toMatchObject({ nlu: expect.any(Number), policy: expect.any(Number), llm: 0, actions: expect.any(Number), total: expect.any(Number) });
    expect(fx.runner.executions).toHaveLength(1);
    expect(fx.runner.executions[0]!.params).toMatchObject({ account_type: 'checking', amount: { amount: 150, currency: 'USD' }, recipient_account_name: 'Abhinav', recipient_account_type: 'checking' });
    expect(fx.runner.executions[0]!.customerRef).toBe(customer.externalId);

    d = await session.handleTurn({ text: "no, that's all" });
    expect(d.kind).toBe('end');
    expect(session.state.status).toBe('ended');
    // Every decision was audited with the KB snapshot hash.
    expect(fx.audit.events.map((e) => e.kind)).toEqual(['say', 'ask_slot', 'ask_slot', 'ask_slot', 'ask_slot', 'ask_slot', 'confirm', 'run_action', 'end']);
    expect(fx.audit.events.every((e) => e.kbSnapshotHash === 'f'.repeat(64))).toBe(true);
  });

  it('keeps details given with the request through verification and fills them in', async () => {
    const { session } = await verified();
    await session.handleTurn({ text: 'transfer 200 dollars to Maria from savings' });
    await session.handleTurn({ text: customer.accountId });
    const d = await session.handleTurn({ text: customer.zip });
    expect(d.kind).toBe('confirm');
    expect(d.slots).toMatchObject({ account_type: 'savings', amount: { amount: 200, currency: 'USD' }, recipient_account_name: 'Maria' });
  });

  it('a correction at confirmation updates the value and reads back again; "no" re-collects', async () => {
    const fx = demoEngine();
    const { session } = await verified(fx);
    await session.handleTurn({ text: 'transfer 200 dollars to Maria from savings' });
    await session.handleTurn({ text: customer.accountId });
    await session.handleTurn({ text: customer.zip });
    let d = await session.handleTurn({ text: 'no, make it 100 dollars' });
    expect(d).toMatchObject({ kind: 'confirm', reason: 'slot_corrected' });
    expect(d.text).toContain('amount: $100');
    d = await session.handleTurn({ text: 'no' });
    expect(d).toMatchObject({ kind: 'ask_slot', reason: 'confirmation_rejected' });
    expect(d.text).toContain('checking or savings');
    expect(session.state.flow?.slots).toEqual({});
    expect(fx.runner.executions).toHaveLength(0);
  });

  it('contradictory values are asked again, never guessed', async () => {
    const { session } = await verified();
    await session.handleTurn({ text: 'I want to transfer money' });
    await session.handleTurn({ text: customer.accountId });
    await session.handleTurn({ text: customer.zip });
    await session.handleTurn({ text: 'checking' });
    const d = await session.handleTurn({ text: '200 dollars or maybe 300 dollars' });
    expect(d).toMatchObject({ kind: 'clarify', reason: 'contradictory_slot_values' });
    expect(d.text).toContain('$200 or $300');
    expect(d.text).toContain('How much would you like to transfer?');
    expect(session.state.flow?.slots.amount).toBeUndefined();
  });

  it('a failed transfer notifies, offers a colleague and escalates with a warm-transfer package on "yes"', async () => {
    const fx = demoEngine();
    const { session } = await verified(fx);
    await session.handleTurn({ text: 'transfer 4999999 dollars to Maria from savings' });
    await session.handleTurn({ text: customer.accountId });
    await session.handleTurn({ text: customer.zip });
    let d = await session.handleTurn({ text: 'yes' });
    expect(d.kind).toBe('run_action');
    expect(d.actionResults[0]).toMatchObject({ ok: false, error: 'over_limit' });
    expect(d.text).toMatch(/Sorry, I could not complete that/);
    expect(d.text).toMatch(/transfer you to a colleague who can help\?/);
    d = await session.handleTurn({ text: 'yes please' });
    expect(d).toMatchObject({ kind: 'escalate', reason: 'caller_accepted_transfer' });
    const pkg = HandoffPackageSchema.parse(d.handoff);
    expect(pkg.customer).toMatchObject({ reference: customer.externalId, verified: true });
    expect(pkg.completedFlows).toEqual([{ id: 'banks.transfer_money', outcome: 'failure' }]);
    expect(pkg.actions).toEqual([{ action: 'TransferMoney', ok: false, error: 'over_limit' }]);
    // The account id the caller said is redacted in the transcript.
    expect(JSON.stringify(pkg.transcript)).not.toContain(customer.accountId);
  });
});

describe('other flows', () => {
  it('runs a non-sensitive ABCD flow without verification', async () => {
    const fx = demoEngine();
    const { session } = await fx.engine.startSession({ callId: 'c-policy' });
    const d = await session.handleTurn({ text: 'what is the policy on returns' });
    expect(d.kind).toBe('run_action');
    expect(d.actionResults.map((a) => a.action)).toEqual(['search-faq', 'search-policy', 'select-faq']);
    expect(session.state.auth.status).toBe('anonymous');
  });

  it('runs a sensitive ABCD flow after verification, speaking account data only then', async () => {
    const fx = demoEngine();
    const { session } = await verified(fx, 'c-ship');
    let d = await session.handleTurn({ text: 'where is my order?' });
    expect(d.reason).toBe('authentication_required');
    expect(d.text).not.toMatch(new RegExp(customer.orders[0]!.status));
    await session.handleTurn({ text: customer.accountId });
    d = await session.handleTurn({ text: customer.zip });
    expect(d.kind).toBe('run_action');
    expect(d.actionResults.map((a) => a.action)).toEqual(['pull-up-account', 'verify-identity', 'validate-purchase', 'ask-the-oracle', 'update-order']);
    expect(d.text).toContain(`I have your account here, ${customer.fullName.split(' ')[0]}`);
    expect(d.text).toContain(customer.orders[0]!.product);
    expect(d.actionResults.map((a) => a.idempotencyKey)).toContain('c-ship:shipping_issue.status:1.pull-up-account');
  });

  it('a second run of the same flow in one call gets its own idempotency keys', async () => {
    const fx = demoEngine();
    const { session } = await verified(fx, 'c-two');
    await session.handleTurn({ text: 'transfer 20 dollars to Maria from savings' });
    await session.handleTurn({ text: customer.accountId });
    await session.handleTurn({ text: customer.zip });
    await session.handleTurn({ text: 'yes' });
    await session.handleTurn({ text: 'transfer 30 dollars to Omar from checking' });
    const d = await session.handleTurn({ text: 'yes' });
    expect(d.actionResults[0]).toMatchObject({ ok: true, idempotencyKey: 'c-two:banks.transfer_money#2:call', deduplicated: false });
    expect(fx.runner.executions).toHaveLength(2);
  });
});

describe('session state', () => {
  it('round-trips through JSON mid-flow and continues on another engine (another node)', async () => {
    const a = demoEngine();
    const { session } = await verified(a, 'c-json');
    await session.handleTurn({ text: 'transfer 200 dollars to Maria from savings' });
    await session.handleTurn({ text: customer.accountId });
    const stored = JSON.stringify(session.toJSON());
    const b = demoEngine();
    const resumed = b.engine.resume(stored);
    expect(resumed.state).toEqual(JSON.parse(stored));
    const d = await resumed.handleTurn({ text: customer.zip });
    expect(d.kind).toBe('confirm');
    const done = await resumed.handleTurn({ text: 'yes' });
    expect(done.actionResults[0]).toMatchObject({ ok: true, idempotencyKey: 'c-json:banks.transfer_money:call' });
    expect(JSON.parse(JSON.stringify(resumed.toJSON()))).toEqual(resumed.toJSON());
  });

  it('rejects a corrupted state with a clear error', () => {
    const { engine } = demoEngine();
    expect(() => engine.resume('{"callId": 3}')).toThrow(ValidationError);
    expect(() => engine.resume('not json')).toThrow(/dialogue session state/);
  });

  it('replaying a turn from the stored state does not run the action twice (same idempotency key)', async () => {
    const fx = demoEngine();
    const { session } = await verified(fx, 'c-replay');
    await session.handleTurn({ text: 'transfer 200 dollars to Maria from savings' });
    await session.handleTurn({ text: customer.accountId });
    await session.handleTurn({ text: customer.zip });
    const before = JSON.stringify(session.toJSON());
    const first = await session.handleTurn({ text: 'yes' });
    // The node crashed after the action but before saving: another node replays the same turn.
    const replay = await fx.engine.resume(before).handleTurn({ text: 'yes' });
    expect(first.actionResults[0]!.deduplicated).toBe(false);
    expect(replay.actionResults[0]).toMatchObject({ ok: true, deduplicated: true, attempts: 0 });
    expect(fx.runner.executions).toHaveLength(1);
  });
});

describe('authentication gating', () => {
  it('three failed verifications escalate without saying which factor was wrong', async () => {
    const fx = demoEngine();
    const { session } = await verified(fx, 'c-auth');
    await session.handleTurn({ text: 'what is my balance' });
    let d;
    for (let i = 0; i < 3; i++) {
      await session.handleTurn({ text: customer.accountId });
      d = await session.handleTurn({ text: '00000' });
    }
    expect(d!).toMatchObject({ kind: 'escalate', reason: 'authentication_failed' });
    expect(session.state.auth.status).toBe('locked');
    expect(fx.runner.executions).toHaveLength(0);
    expect(d!.handoff!.authentication).toEqual({ status: 'locked', failedAttempts: 3 });
  });

  it('wrong attempts before a right one still verify; data is never spoken before', async () => {
    const { session } = await verified(demoEngine(), 'c-auth2');
    let d = await session.handleTurn({ text: 'check my balance please' });
    d = await session.handleTurn({ text: 'ABCDE12345' });
    d = await session.handleTurn({ text: customer.zip });
    expect(d.reason).toBe('verification_failed');
    expect(d.text).toMatch(/couldn't verify those details/);
    await session.handleTurn({ text: customer.accountId });
    d = await session.handleTurn({ text: 'nine seven one five four'.replace(/.*/, customer.zip.split('').map((c) => ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'][Number(c)]).join(' ')) });
    expect(d.reason).toBe('ask_account_type');
    d = await session.handleTurn({ text: 'savings' });
    expect(d.kind).toBe('run_action');
    expect(d.text).toContain(`balance: $${DemoActionRunner.balance(customer.externalId, 'savings')}`);
  });

  it('verifies with a one-time code sent to the phone on file', async () => {
    const fx = demoEngine();
    const { session } = await verified(fx, 'c-otp');
    await session.handleTurn({ text: 'what is my balance' });
    let d = await session.handleTurn({ text: 'can you text me a code instead' });
    expect(d.reason).toBe('otp_sent');
    const code = fx.crm.sentCodes.at(-1)!.code;
    d = await session.handleTurn({ text: code.split('').join(' ') });
    expect(d.reason).toBe('ask_account_type');
    expect(session.state.auth).toMatchObject({ status: 'verified', verifiedBy: 'otp' });
  });

  it('an LLM-free anonymous caller can still verify by account id + ZIP', async () => {
    const fx = demoEngine();
    const { session } = await fx.engine.startSession({ callId: 'c-anon' });
    expect(session.state.auth.status).toBe('anonymous');
    await session.handleTurn({ text: 'balance' });
    await session.handleTurn({ text: `my account id is ${customer.accountId.split('').join(' ')}` });
    const d = await session.handleTurn({ text: customer.zip });
    expect(d.reason).toBe('ask_account_type');
    expect(session.state.auth).toMatchObject({ status: 'verified', identifiedBy: 'account_id', customerRef: customer.externalId });
  });
});

describe('escalation triggers', () => {
  it('explicit request for a human, by voice or by pressing 0', async () => {
    const { engine } = demoEngine();
    const a = (await engine.startSession({ callId: 'h1' })).session;
    const d = await a.handleTurn({ text: 'Can I please speak to a real person' });
    expect(d).toMatchObject({ kind: 'escalate', reason: 'caller_requested_human' });
    expect(HandoffPackageSchema.safeParse(d.handoff).success).toBe(true);
    const b = (await engine.startSession({ callId: 'h2' })).session;
    expect((await b.handleTurn({ dtmf: '0' })).reason).toBe('caller_requested_human');
    const c = (await engine.startSession({ callId: 'h3' })).session;
    expect((await c.handleTurn({ text: 'I want to transfer money to my agent' })).kind).not.toBe('escalate');
  });

  it('repeated non-understanding (configurable) escalates', async () => {
    const { engine } = demoEngine({}, { maxNonUnderstanding: 2 });
    const { session } = await engine.startSession({ callId: 'nu' });
    const first = await session.handleTurn({ text: 'qwrtzp xkcdfg' });
    expect(first).toMatchObject({ kind: 'clarify', reason: 'not_understood' });
    const second = await session.handleTurn({ text: 'xkcdqq zzzzzz' });
    expect(second).toMatchObject({ kind: 'escalate', reason: 'repeated_non_understanding' });
    expect(session.state.status).toBe('escalated');
    const after = await session.handleTurn({ text: 'hello?' });
    expect(after.kind).toBe('end');
  });

  it('a falling sentiment trend escalates', async () => {
    const { session } = await verified(demoEngine(), 'sent');
    await session.handleTurn({ text: 'I want to transfer money' });
    let d = await session.handleTurn({ text: 'this is ridiculous, I already told you' });
    expect(d.kind).not.toBe('escalate');
    d = await session.handleTurn({ text: 'this is the worst service, useless' });
    expect(d).toMatchObject({ kind: 'escalate', reason: 'negative_sentiment' });
    expect(d.handoff!.sentiment.latest).toBeLessThan(-0.5);
    expect(d.handoff!.summary).toContain('transfer money');
    expect(d.handoff!.flow).toMatchObject({ id: 'banks.transfer_money' });
  });

  it('out of scope: clarify once, then escalate', async () => {
    const { session } = await (async () => demoEngine())().then((fx) => fx.engine.startSession({ callId: 'oos' }));
    const first = await session.handleTurn({ text: 'Tell me a joke about penguins' });
    expect(first).toMatchObject({ kind: 'clarify' });
    const second = await session.handleTurn({ text: 'Sing me a song about dragons' });
    expect(second).toMatchObject({ kind: 'escalate', reason: 'out_of_scope' });
  });
});

describe('bad input', () => {
  it('empty, very long, non-English, garbage and low-confidence turns get a clarification', async () => {
    const { engine } = demoEngine({}, { maxNonUnderstanding: 10 });
    const { session } = await engine.startSession({ callId: 'bad' });
    const cases: [Parameters<typeof session.handleTurn>[0], string][] = [
      [{ text: '' }, 'no_input'],
      [{ text: '   \n\t ' }, 'no_input'],
      [{ text: 'transfer '.repeat(500) }, 'too_long'],
      [{ text: 'quiero transferir dinero de mi cuenta' }, 'unsupported_language'],
      [{ text: '我想转账' }, 'unsupported_language'],
      [{ text: '!!!??? ...' }, 'not_understood'],
      [{ text: 'transfer money', asrConfidence: 0.1 }, 'low_asr_confidence'],
    ];
    for (const [input, reason] of cases) {
      const d = await session.handleTurn(input);
      expect(d, JSON.stringify(input).slice(0, 40)).toMatchObject({ kind: 'clarify', reason });
      expect(d.text.length).toBeGreaterThan(0);
    }
    expect(session.state.flow).toBeNull();
  });

  it('malformed turns are a clear error; dependency failures a clean escalation', async () => {
    const { engine } = demoEngine({ intents: { classify: () => { throw new Error('classifier down'); } } });
    const { session } = await engine.startSession({ callId: 'bad2' });
    expect(() => session.handleTurn(null as never)).toThrow(ValidationError);
    expect(() => session.handleTurn({ text: 42 as never })).toThrow(/text: must be a string/);
    const d = await session.handleTurn({ text: 'transfer money' });
    expect(d).toMatchObject({ kind: 'escalate', reason: 'internal_error' });
    expect(d.handoff).toBeDefined();
  });

  it('an intent that is not a flow of this version is not started', async () => {
    const { engine } = demoEngine({ intents: { classify: () => ({ intent: 'banks.open_account', confidence: 0.99, outOfScope: false, top: [{ intent: 'banks.open_account', confidence: 0.99 }] }) } });
    const { session } = await engine.startSession({ callId: 'bad3' });
    const d = await session.handleTurn({ text: 'open an account' });
    expect(d.kind).toBe('clarify');
    expect(session.state.flow).toBeNull();
  });
});

describe('warm-transfer package', () => {
  it('is redacted, carries intent, slots, customer reference, summary, sentiment and reason', async () => {
    const fx = demoEngine();
    const { session } = await fx.engine.startSession({ callId: 'hand', callerAni: ANI, tenantId: 't1' });
    await session.handleTurn({ text: 'I want to transfer money, my email is jane.doe@example.com' });
    await session.handleTurn({ text: customer.accountId });
    await session.handleTurn({ text: customer.zip });
    await session.handleTurn({ text: 'savings' });
    const d = await session.handleTurn({ text: 'I am frustrated, get me an agent' });
    expect(d.kind).toBe('escalate');
    const pkg = HandoffPackageSchema.parse(d.handoff);
    expect(pkg).toMatchObject({
      callId: 'hand',
      tenantId: 't1',
      escalation: { reason: 'caller_requested_human', description: 'The caller asked for a person.' },
      intent: { name: 'banks.transfer_money' },
      flow: { id: 'banks.transfer_money', stage: 'collecting', stepId: 'collect.amount' },
      slots: { account_type: 'savings' },
      customer: { reference: customer.externalId, verified: true, identifiedBy: 'ani' },
      authentication: { status: 'verified', failedAttempts: 0 },
    });
    expect(pkg.sentiment.latest).toBeLessThan(0);
    expect(pkg.summary).toContain('I want to transfer money');
    expect(pkg.summary).toContain('get me an agent');
    const all = JSON.stringify(pkg);
    expect(all).not.toContain('jane.doe@example.com');
    expect(all).not.toContain(customer.accountId);
    expect(all).not.toContain(customer.zip);
    expect(all).toContain('[EMAIL]');
    // Available at any time for the console, too.
    expect(HandoffPackageSchema.safeParse(session.handoff()).success).toBe(true);
  });
});
