import {
  BrokenCircuitError,
  CircuitState,
  ConsecutiveBreaker,
  ExponentialBackoff,
  TaskCancelledError,
  circuitBreaker,
  handleWhen,
  retry,
  timeout,
  TimeoutStrategy,
  wrap,
  type CircuitBreakerPolicy,
  type IPolicy,
} from 'cockatiel';
import { errorMessage } from '@cc/core';
import type { ActionOutcome, ActionRequest, ActionRunner, Clock, SlotValue } from './ports.ts';
import { systemClock } from './ports.ts';

/**
 * Flow actions run through: idempotency (one execution per key) → retry (bounded, exponential
 * backoff with jitter) → a circuit breaker per action name → a timeout whose AbortSignal reaches
 * the runner. Built on cockatiel's policies.
 */

export interface IdempotencyStore {
  get(key: string): ActionOutcome | undefined | Promise<ActionOutcome | undefined>;
  set(key: string, outcome: ActionOutcome): void | Promise<void>;
}

/** In-process idempotency store (bounded; oldest keys go first). Use a shared store across nodes. */
export class MemoryIdempotencyStore implements IdempotencyStore {
  private readonly map = new Map<string, ActionOutcome>();
  constructor(private readonly maxEntries = 10_000) {}
  get(key: string): ActionOutcome | undefined {
    return this.map.get(key);
  }
  set(key: string, outcome: ActionOutcome): void {
    this.map.set(key, outcome);
    while (this.map.size > this.maxEntries) this.map.delete(this.map.keys().next().value!);
  }
}

export interface ResilienceOptions {
  /** Per-attempt timeout (default 3000 ms). */
  timeoutMs?: number;
  /** Retries after the first attempt (default 2). */
  retries?: number;
  /** First backoff delay (default 100 ms), capped at maxDelayMs (default 1000 ms). */
  initialDelayMs?: number;
  maxDelayMs?: number;
  /** Consecutive failures that open an action's breaker (default 5). */
  breakerThreshold?: number;
  /** How long an open breaker waits before letting one call through (default 30 s). */
  halfOpenAfterMs?: number;
  idempotency?: IdempotencyStore;
  /** Called when the idempotency store fails (e.g. Redis down); default: ignored, the action still runs once per node. */
  onStoreError?: (err: unknown, idempotencyKey: string) => void;
  clock?: Clock;
}

export type CircuitStatus = 'closed' | 'open' | 'half_open' | 'isolated';

export interface ActionResult {
  action: string;
  flowId: string;
  stepId: string;
  idempotencyKey: string;
  ok: boolean;
  data: Record<string, SlotValue>;
  say?: string;
  /** Business error from the runner, or timeout / circuit_open / the transient error's message. */
  error?: string;
  /** Calls made to the runner for this request (0 when deduplicated or the breaker was open). */
  attempts: number;
  /** The key had already executed: its stored outcome was returned without running again. */
  deduplicated: boolean;
  durationMs: number;
  circuit: CircuitStatus;
}

const STATE_NAMES: Record<CircuitState, CircuitStatus> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half_open',
  [CircuitState.Isolated]: 'isolated',
};

export class ResilientActionRunner {
  private readonly breakers = new Map<string, CircuitBreakerPolicy>();
  private readonly inFlight = new Map<string, Promise<ActionResult>>();
  private readonly opts: Required<Omit<ResilienceOptions, 'idempotency' | 'clock'>>;
  private readonly idempotency: IdempotencyStore;
  private readonly clock: Clock;

  constructor(
    private readonly runner: ActionRunner,
    options: ResilienceOptions = {},
  ) {
    this.opts = {
      timeoutMs: options.timeoutMs ?? 3000,
      retries: options.retries ?? 2,
      initialDelayMs: options.initialDelayMs ?? 100,
      maxDelayMs: options.maxDelayMs ?? 1000,
      breakerThreshold: options.breakerThreshold ?? 5,
      halfOpenAfterMs: options.halfOpenAfterMs ?? 30_000,
      onStoreError: options.onStoreError ?? (() => {}),
    };
    this.idempotency = options.idempotency ?? new MemoryIdempotencyStore();
    this.clock = options.clock ?? systemClock;
  }

  get actions(): readonly string[] | undefined {
    return this.runner.actions;
  }

  /** The breaker state of an action ('closed' when it never ran). */
  circuit(action: string): CircuitStatus {
    const b = this.breakers.get(action);
    return b ? STATE_NAMES[b.state] : 'closed';
  }

  private breaker(action: string): CircuitBreakerPolicy {
    let b = this.breakers.get(action);
    if (!b) {
      b = circuitBreaker(
        handleWhen(() => true),
        { halfOpenAfter: this.opts.halfOpenAfterMs, breaker: new ConsecutiveBreaker(this.opts.breakerThreshold) },
      );
      this.breakers.set(action, b);
    }
    return b;
  }

  /** Run one action request; never throws (failures come back as ok: false with an error). */
  async execute(request: ActionRequest, signal?: AbortSignal): Promise<ActionResult> {
    const key = request.idempotencyKey;
    const running = this.inFlight.get(key);
    if (running) return running.then((r) => ({ ...r, attempts: 0, deduplicated: true }));
    const p = this.executeOnce(request, signal).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, p);
    return p;
  }

  private async executeOnce(request: ActionRequest, signal?: AbortSignal): Promise<ActionResult> {
    const started = this.clock.now();
    const base = { action: request.action, flowId: request.flowId, stepId: request.stepId, idempotencyKey: request.idempotencyKey };
    const done = (outcome: ActionOutcome, attempts: number, deduplicated: boolean): ActionResult => ({
      ...base,
      ok: outcome.ok,
      data: outcome.data ?? {},
      ...(outcome.say ? { say: outcome.say } : {}),
      ...(outcome.error ? { error: outcome.error } : {}),
      attempts,
      deduplicated,
      durationMs: Math.max(0, this.clock.now() - started),
      circuit: this.circuit(request.action),
    });
    let stored: ActionOutcome | undefined;
    try {
      stored = await this.idempotency.get(request.idempotencyKey);
    } catch (err) {
      // An unreachable shared store must not stop the call: the action runs (in-flight calls on this
      // node are still deduplicated), and the failure is reported to whoever wired the store.
      this.opts.onStoreError(err, request.idempotencyKey);
      stored = undefined;
    }
    if (stored) return done(stored, 0, true);

    const breaker = this.breaker(request.action);
    const retryPolicy = retry(
      handleWhen((err) => !(err instanceof BrokenCircuitError)),
      { maxAttempts: this.opts.retries, backoff: new ExponentialBackoff({ initialDelay: this.opts.initialDelayMs, maxDelay: this.opts.maxDelayMs }) },
    );
    const timeoutPolicy = timeout(this.opts.timeoutMs, TimeoutStrategy.Aggressive);
    const policy: IPolicy = wrap(retryPolicy, breaker, timeoutPolicy);
    let attempts = 0;
    try {
      const outcome = await policy.execute(async ({ signal: attemptSignal }) => {
        attempts++;
        const result = await this.runner.run(request, attemptSignal);
        if (!result || typeof result.ok !== 'boolean') throw new Error(`action ${request.action} returned no outcome`);
        return result;
      }, signal);
      try {
        await this.idempotency.set(request.idempotencyKey, outcome);
      } catch (storeErr) {
        // The outcome still stands; a lost idempotency record only weakens deduplication.
        this.opts.onStoreError(storeErr, request.idempotencyKey);
      }
      return done(outcome, attempts, false);
    } catch (err) {
      const error = err instanceof BrokenCircuitError ? 'circuit_open' : err instanceof TaskCancelledError ? 'timeout' : errorMessage(err);
      return done({ ok: false, error }, attempts, false);
    }
  }
}
