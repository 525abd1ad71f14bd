import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import type { Redis } from 'ioredis';
import { AppError, ValidationError, type TurnRow } from '@cc/core';
import { createRedis, pingRedis } from './connection.ts';
import type { IngestCallAnalytics } from './contracts.ts';
import { JobQueues, bullJobId, defaultJobOptions } from './job-queues.ts';

/** Every test gets its own BullMQ prefix on the run's real redis-server, so nothing leaks between tests or files. */
const filePrefix = `t-queues-${process.pid}`;
let testNo = 0;
let redis: Redis;
let queues: JobQueues;
const opened: JobQueues[] = [];

function open(jobOptions = {}): JobQueues {
  const q = new JobQueues(redis, `${filePrefix}-${++testNo}`, jobOptions);
  opened.push(q);
  return q;
}

const turn = (i: number, overrides: Partial<TurnRow> = {}): TurnRow => ({
  tenant_id: 'acme', call_id: 'call-1', turn_index: i, agent_version: '1.0.0', speaker: 'caller', text_redacted: 'hi',
  intent: 'billing', confidence: 0.9, started_at: new Date('2026-10-01T10:00:00Z'), ended_at: new Date('2026-10-01T10:00:01Z'), ...overrides,
});
const payload = (overrides: Partial<IngestCallAnalytics> = {}): IngestCallAnalytics => ({
  tenantId: 'acme', callId: 'call-1', turns: [turn(0), turn(1)], stageLatency: [], events: [], ...overrides,
});

/** All jobs in a work queue, whatever their state. */
async function jobCount(q: JobQueues, name: 'analytics' | 'dead-letter' = 'analytics'): Promise<number> {
  const counts = await q.queues[name].getJobCounts();
  return Object.values(counts).reduce((a, b) => a + b, 0);
}

async function thrown(fn: () => Promise<unknown>): Promise<unknown> {
  try {
    await fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

beforeAll(async () => {
  redis = createRedis(inject('redisUrl'));
  await pingRedis(redis);
});
beforeEach(() => {
  queues = open();
});
afterAll(async () => {
  for (const q of opened) {
    await Promise.all(Object.values(q.queues).map((queue) => queue.obliterate({ force: true })));
    await q.close();
  }
  redis.disconnect();
});

describe('JobQueues.enqueue: validation', () => {
  it('enqueues a valid payload, parsed by its zod contract (dates coerced, defaults filled)', async () => {
    const id = await queues.enqueue('ingest-call-analytics', { tenantId: 'acme', callId: 'call-1', turns: [turn(0)] } as IngestCallAnalytics, { idempotencyKey: 'call-1' });
    const job = await queues.queues.analytics.getJob(id);
    expect(job?.name).toBe('ingest-call-analytics');
    expect(job?.data).toMatchObject({ tenantId: 'acme', callId: 'call-1', stageLatency: [], events: [] });
    expect(job?.data.turns[0].started_at).toBe('2026-10-01T10:00:00.000Z');
    expect(await queues.queues.analytics.getJobState(id)).toBe('waiting');
  });

  it('refuses a bad payload with a ValidationError naming each bad field, and enqueues nothing', async () => {
    const bad = payload({ callId: '', turns: [turn(0), turn(1, { confidence: 1.5 })] });
    const err = await thrown(() => queues.enqueue('ingest-call-analytics', bad, { idempotencyKey: 'bad-1' }));
    expect(err).toBeInstanceOf(ValidationError);
    const issues = (err as ValidationError).issues.map((i) => i.path);
    expect(issues).toEqual(expect.arrayContaining(['callId', 'turns.1.confidence']));
    expect((err as ValidationError).message).toMatch(/ingest-call-analytics job payload.*callId/);
    expect((err as ValidationError).status).toBe(400);
    expect(await jobCount(queues)).toBe(0);
  });

  it('refuses a payload missing a required field or with a wrong type', async () => {
    const err = await thrown(() => queues.enqueue('ingest-call-analytics', { callId: 'c', turns: 'nope' } as never, { idempotencyKey: 'bad-2' }));
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).issues.map((i) => i.path)).toEqual(expect.arrayContaining(['tenantId', 'turns']));
    expect(await jobCount(queues)).toBe(0);
  });

  it('refuses an unknown job name', async () => {
    const err = await thrown(() => queues.enqueue('no-such-job' as never, payload() as never, { idempotencyKey: 'k' }));
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('unknown_job');
    expect(await jobCount(queues)).toBe(0);
  });
});

describe('JobQueues.enqueue: idempotency', () => {
  it('a second enqueue with the same key is a no-op: one job, the first payload kept', async () => {
    const first = await queues.enqueue('ingest-call-analytics', payload(), { idempotencyKey: 'acme-call-1' });
    const second = await queues.enqueue('ingest-call-analytics', payload({ turns: [turn(7)] }), { idempotencyKey: 'acme-call-1' });
    expect(second).toBe(first);
    expect(await jobCount(queues)).toBe(1);
    const job = await queues.queues.analytics.getJob(first);
    expect(job?.data.turns.map((t: TurnRow) => t.turn_index)).toEqual([0, 1]);
  });

  it('different keys make different jobs', async () => {
    await queues.enqueue('ingest-call-analytics', payload(), { idempotencyKey: 'k-1' });
    await queues.enqueue('ingest-call-analytics', payload(), { idempotencyKey: 'k-2' });
    expect(await jobCount(queues)).toBe(2);
  });

  // BullMQ refuses custom ids with ":" unless they have exactly three parts; the key charset allows ":".
  it.each(['plain', 'acme:call-1', 'a:b:c:d', '0', '42', 'x'.repeat(200), 'with.dots_and-dashes'])('accepts the key %j and maps it to a stable job id', async (key) => {
    const id = await queues.enqueue('ingest-call-analytics', payload(), { idempotencyKey: key });
    expect(id).toBe(bullJobId('ingest-call-analytics', key));
    expect(id).not.toContain(':');
    expect(await queues.enqueue('ingest-call-analytics', payload(), { idempotencyKey: key })).toBe(id);
    expect(await jobCount(queues)).toBe(1);
  });

  it('keys that differ only in ":" placement stay distinct jobs', async () => {
    const a = await queues.enqueue('ingest-call-analytics', payload(), { idempotencyKey: 'a:b.c' });
    const b = await queues.enqueue('ingest-call-analytics', payload(), { idempotencyKey: 'a.b:c' });
    expect(a).not.toBe(b);
    expect(await jobCount(queues)).toBe(2);
  });

  it.each(['', ' ', 'has space', 'slash/key', 'x'.repeat(201), 'emoji-🙂', 'pct%3A', 'new\nline'])('refuses the bad key %j and enqueues nothing', async (key) => {
    const err = await thrown(() => queues.enqueue('ingest-call-analytics', payload(), { idempotencyKey: key }));
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('bad_idempotency_key');
    expect((err as AppError).status).toBe(400);
    expect(await jobCount(queues)).toBe(0);
  });
});

describe('JobQueues: job options', () => {
  it('jobs get the default options (5 attempts, exponential backoff) unless overridden', async () => {
    const id = await queues.enqueue('ingest-call-analytics', payload(), { idempotencyKey: 'defaults' });
    const job = await queues.queues.analytics.getJob(id);
    expect(job?.opts.attempts).toBe(defaultJobOptions.attempts);
    expect(job?.opts.backoff).toEqual(defaultJobOptions.backoff);

    const custom = open({ attempts: 2, backoff: { type: 'fixed', delay: 10 } });
    expect(custom.jobOptions.removeOnFail).toEqual(defaultJobOptions.removeOnFail);
    const cid = await custom.enqueue('ingest-call-analytics', payload(), { idempotencyKey: 'custom' });
    const cjob = await custom.queues.analytics.getJob(cid);
    expect(cjob?.opts).toMatchObject({ attempts: 2, backoff: { type: 'fixed', delay: 10 } });

    const pid = await custom.enqueue('ingest-call-analytics', payload(), { idempotencyKey: 'per-job', attempts: 7, delayMs: 60_000 });
    const pjob = await custom.queues.analytics.getJob(pid);
    expect(pjob?.opts.attempts).toBe(7);
    expect(await custom.queues.analytics.getJobState(pid)).toBe('delayed');
  });
});

describe('JobQueues.depths', () => {
  it('counts jobs per work queue, with dead-lettered jobs counted against the queue they came from', async () => {
    expect(await queues.depths()).toEqual([
      { name: 'analytics', waiting: 0, active: 0, delayed: 0, failed: 0, completed: 0, prioritized: 0, deadLettered: 0 },
      { name: 'rollouts', waiting: 0, active: 0, delayed: 0, failed: 0, completed: 0, prioritized: 0, deadLettered: 0 },
      { name: 'evals', waiting: 0, active: 0, delayed: 0, failed: 0, completed: 0, prioritized: 0, deadLettered: 0 },
    ]);
    await queues.enqueue('ingest-call-analytics', payload(), { idempotencyKey: 'w-1' });
    await queues.enqueue('ingest-call-analytics', payload(), { idempotencyKey: 'w-2' });
    await queues.enqueue('ingest-call-analytics', payload(), { idempotencyKey: 'd-1', delayMs: 60_000 });
    const dead = (jobId: string, queue = 'analytics') => ({ queue, jobName: 'ingest-call-analytics', jobId, data: payload(), error: 'boom', attemptsMade: 5, failedAt: new Date().toISOString() });
    // Real job ids look like these: a custom id with ":" in its key, and BullMQ's own integer ids.
    await queues.deadLetter(dead('ingest-call-analytics:acme:call-9'));
    await queues.deadLetter(dead('17'));
    // Dead-lettering the same job twice is a no-op.
    await queues.deadLetter(dead('17'));
    // An entry from another queue is not counted against analytics.
    await queues.deadLetter(dead('x-1', 'elsewhere'));

    const [analytics, ...rest] = await queues.depths();
    expect(rest).toEqual(['rollouts', 'evals'].map((name) => ({ name, waiting: 0, active: 0, delayed: 0, failed: 0, completed: 0, prioritized: 0, deadLettered: 0 })));
    expect(analytics).toEqual({ name: 'analytics', waiting: 2, active: 0, delayed: 1, failed: 0, completed: 0, prioritized: 0, deadLettered: 2 });
    expect(await jobCount(queues, 'dead-letter')).toBe(3);
  });
});
