import { describe, expect, it } from 'vitest';
import type { ActionOutcome, ActionRequest, ActionRunner } from './ports.ts';
import { MemoryIdempotencyStore, ResilientActionRunner } from './resilience.ts';

function request(key: string, action = 'TransferMoney'): ActionRequest {
  return { action, params: { amount: 10 }, idempotencyKey: key, callId: 'c', flowId: 'banks.transfer_money', stepId: 'call', customerRef: 'CRM-000001' };
}

class ScriptedRunner implements ActionRunner {
  calls: ActionRequest[] = [];
  signals: AbortSignal[] = [];
  constructor(private readonly script: (n: number, signal: AbortSignal) => Promise<ActionOutcome>) {}
  run(req: ActionRequest, signal: AbortSignal): Promise<ActionOutcome> {
    this.calls.push(req);
    this.signals.push(signal);
    return this.script(this.calls.length, signal);
  }
}

const fast = { initialDelayMs: 1, maxDelayMs: 2, timeoutMs: 100 };

describe('ResilientActionRunner', () => {
  it('the same idempotency key executes once, also when called concurrently', async () => {
    const runner = new ScriptedRunner(async () => {
      await new Promise((r) => setTimeout(r, 10));
      return { ok: true, data: { reference: 'TX1' } };
    });
    const r = new ResilientActionRunner(runner, fast);
    const [a, b] = await Promise.all([r.execute(request('c:f:s')), r.execute(request('c:f:s'))]);
    const c = await r.execute(request('c:f:s'));
    expect(runner.calls).toHaveLength(1);
    expect(a).toMatchObject({ ok: true, deduplicated: false, attempts: 1, data: { reference: 'TX1' } });
    expect(b).toMatchObject({ ok: true, deduplicated: true, attempts: 0 });
    expect(c).toMatchObject({ ok: true, deduplicated: true, attempts: 0, data: { reference: 'TX1' } });
    await r.execute(request('c:f:other'));
    expect(runner.calls).toHaveLength(2);
  });

  it('a shared idempotency store deduplicates across runner instances (nodes)', async () => {
    const store = new MemoryIdempotencyStore();
    const runner = new ScriptedRunner(async () => ({ ok: true }));
    await new ResilientActionRunner(runner, { ...fast, idempotency: store }).execute(request('k1'));
    const again = await new ResilientActionRunner(runner, { ...fast, idempotency: store }).execute(request('k1'));
    expect(again.deduplicated).toBe(true);
    expect(runner.calls).toHaveLength(1);
  });

  it('retries transient errors with backoff, bounded', async () => {
    const flaky = new ScriptedRunner(async (n) => {
      if (n < 3) throw new Error('ECONNRESET');
      return { ok: true };
    });
    const ok = await new ResilientActionRunner(flaky, { ...fast, retries: 2 }).execute(request('r1'));
    expect(ok).toMatchObject({ ok: true, attempts: 3 });
    const down = new ScriptedRunner(async () => {
      throw new Error('ECONNREFUSED');
    });
    const failed = await new ResilientActionRunner(down, { ...fast, retries: 2 }).execute(request('r2'));
    expect(failed).toMatchObject({ ok: false, attempts: 3, error: 'ECONNREFUSED' });
    // A failure is not remembered: the key may run again later.
    expect(down.calls).toHaveLength(3);
  });

  it('business failures (ok: false) are final: not retried, remembered for the key', async () => {
    const runner = new ScriptedRunner(async () => ({ ok: false, error: 'insufficient_funds' }));
    const r = new ResilientActionRunner(runner, fast);
    expect(await r.execute(request('b1'))).toMatchObject({ ok: false, error: 'insufficient_funds', attempts: 1 });
    expect(await r.execute(request('b1'))).toMatchObject({ ok: false, deduplicated: true });
    expect(runner.calls).toHaveLength(1);
  });

  it('times out a hung call and aborts its signal', async () => {
    const hung = new ScriptedRunner((_, signal) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('aborted')))));
    const started = Date.now();
    const res = await new ResilientActionRunner(hung, { ...fast, timeoutMs: 50, retries: 1 }).execute(request('t1'));
    expect(res).toMatchObject({ ok: false, error: 'timeout', attempts: 2 });
    expect(hung.signals.every((s) => s.aborted)).toBe(true);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('opens the circuit per action after consecutive failures, then fails fast', async () => {
    const down = new ScriptedRunner(async () => {
      throw new Error('503 from CRM');
    });
    const r = new ResilientActionRunner(down, { ...fast, retries: 0, breakerThreshold: 3, halfOpenAfterMs: 60_000 });
    for (let i = 0; i < 3; i++) expect((await r.execute(request(`o${i}`))).ok).toBe(false);
    expect(r.circuit('TransferMoney')).toBe('open');
    const fastFail = await r.execute(request('o4'));
    expect(fastFail).toMatchObject({ ok: false, error: 'circuit_open', attempts: 0, circuit: 'open' });
    expect(down.calls).toHaveLength(3);
    // Other actions have their own breaker.
    expect(r.circuit('CheckBalance')).toBe('closed');
    const other = await r.execute(request('o5', 'CheckBalance'));
    expect(other.error).toBe('503 from CRM');
    expect(down.calls).toHaveLength(4);
  });

  it('lets one call through after the half-open delay and closes on success', async () => {
    let healthy = false;
    const runner = new ScriptedRunner(async () => {
      if (!healthy) throw new Error('down');
      return { ok: true };
    });
    const r = new ResilientActionRunner(runner, { ...fast, retries: 0, breakerThreshold: 2, halfOpenAfterMs: 30 });
    await r.execute(request('h1'));
    await r.execute(request('h2'));
    expect(r.circuit('TransferMoney')).toBe('open');
    healthy = true;
    await new Promise((res) => setTimeout(res, 40));
    expect(await r.execute(request('h3'))).toMatchObject({ ok: true });
    expect(r.circuit('TransferMoney')).toBe('closed');
  });
});
