import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Job, JobsOptions, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { UnrecoverableError } from 'bullmq';
import { createLogger, type TurnRow } from '@cc/core';
import { DeadLetter, JobQueues, createRedis, pingRedis, type IngestCallAnalytics } from '@cc/queue';
import { startJobWorker, type Processors } from './job-worker.ts';

/** Real redis-server from the global setup; a BullMQ prefix per test keeps tests and files apart. */
const filePrefix = `t-worker-${process.pid}`;
let testNo = 0;
let redis: Redis;
let workerRedis: Redis;
const logger = createLogger({ level: 'silent' });
const opened: JobQueues[] = [];
let workers: Worker[] = [];

const turn = (i: number): TurnRow => ({
  tenant_id: 'acme', call_id: 'call-1', turn_index: i, agent_version: '1.0.0', speaker: 'caller', text_redacted: 'hi',
  intent: 'billing', confidence: 0.9, started_at: new Date('2026-10-01T10:00:00Z'), ended_at: new Date('2026-10-01T10:00:01Z'),
});
const payload = (): IngestCallAnalytics => ({ tenantId: 'acme', callId: 'call-1', turns: [turn(0), turn(1)], stageLatency: [], events: [] });

const BACKOFF_MS = 80;

function setup(processors: Processors, jobOptions: JobsOptions = { attempts: 3, backoff: { type: 'exponential', delay: BACKOFF_MS } }) {
  const queues = new JobQueues(redis, `${filePrefix}-${++testNo}`, jobOptions);
  opened.push(queues);
  const worker = startJobWorker({ queue: 'analytics', connection: workerRedis, queues, processors, logger, concurrency: 2 });
  workers.push(worker);
  return { queues, worker };
}

async function waitFor<T>(what: string, fn: () => Promise<T | undefined | null | false>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function finalState(queues: JobQueues, id: string): Promise<string> {
  return waitFor(`job ${id} to finish`, async () => {
    const state = await queues.queues.analytics.getJobState(id);
    return state === 'completed' || state === 'failed' ? state : undefined;
  });
}

async function deadLetters(queues: JobQueues): Promise<DeadLetter[]> {
  const jobs = await queues.queues['dead-letter'].getJobs(['waiting'], 0, -1);
  return jobs.map((j) => DeadLetter.parse(j.data));
}

beforeAll(async () => {
  redis = createRedis(inject('redisUrl'));
  workerRedis = createRedis(inject('redisUrl'), { forWorker: true });
  await pingRedis(redis);
});
afterEach(async () => {
  await Promise.all(workers.map((w) => w.close()));
  workers = [];
});
afterAll(async () => {
  for (const q of opened) {
    await Promise.all(Object.values(q.queues).map((queue) => queue.obliterate({ force: true })));
    await q.close();
  }
  redis.disconnect();
  workerRedis.disconnect();
});

describe('startJobWorker: retries', () => {
  it('retries a processor that fails twice with exponential backoff, then completes; nothing is dead-lettered', async () => {
    const calls: { at: number; attemptsMade: number }[] = [];
    const { queues } = setup({
      'ingest-call-analytics': async (data, job) => {
        calls.push({ at: Date.now(), attemptsMade: job.attemptsMade });
        if (calls.length <= 2) throw new Error(`transient failure ${calls.length}`);
        return { ok: true, turns: data.turns.length };
      },
    });
    const id = await queues.enqueue('ingest-call-analytics', payload(), { idempotencyKey: 'flaky' });
    expect(await finalState(queues, id)).toBe('completed');

    const job = (await queues.queues.analytics.getJob(id)) as Job;
    expect(job.returnvalue).toEqual({ ok: true, turns: 2 });
    expect(calls.map((c) => c.attemptsMade)).toEqual([0, 1, 2]);
    // Exponential: the 1st retry waits >= delay, the 2nd >= 2 x delay (small timer slack allowed).
    const gaps = [calls[1]!.at - calls[0]!.at, calls[2]!.at - calls[1]!.at];
    expect(gaps[0]).toBeGreaterThanOrEqual(BACKOFF_MS - 5);
    expect(gaps[1]).toBeGreaterThanOrEqual(2 * BACKOFF_MS - 5);
    expect(await deadLetters(queues)).toEqual([]);
    const [depth] = await queues.depths();
    expect(depth).toMatchObject({ completed: 1, failed: 0, waiting: 0, delayed: 0, deadLettered: 0 });
  });

  it('a processor that always fails is dead-lettered after its last attempt, with error, attempts and original payload', async () => {
    let calls = 0;
    const { queues } = setup({
      'ingest-call-analytics': async () => {
        calls++;
        throw new Error(`clickhouse said no (call ${calls})`);
      },
    });
    const original = payload();
    const id = await queues.enqueue('ingest-call-analytics', original, { idempotencyKey: 'acme:call-1' });
    expect(await finalState(queues, id)).toBe('failed');
    expect(calls).toBe(3);

    const job = (await queues.queues.analytics.getJob(id)) as Job;
    expect(job.attemptsMade).toBe(3);
    expect(job.failedReason).toBe('clickhouse said no (call 3)');

    const dead = await deadLetters(queues);
    expect(dead).toHaveLength(1);
    expect(dead[0]).toMatchObject({
      queue: 'analytics',
      jobName: 'ingest-call-analytics',
      jobId: id,
      error: 'clickhouse said no (call 3)',
      attemptsMade: 3,
      // What was enqueued, as JSON (dates as ISO strings).
      data: JSON.parse(JSON.stringify(original)),
    });
    expect(new Date(dead[0]!.failedAt).getTime()).toBeGreaterThan(Date.now() - 60_000);
    const [depth] = await queues.depths();
    expect(depth).toMatchObject({ failed: 1, completed: 0, deadLettered: 1 });
  });

  it('an UnrecoverableError from the processor is dead-lettered at once, without retries', async () => {
    let calls = 0;
    const { queues } = setup({
      'ingest-call-analytics': async () => {
        calls++;
        throw new UnrecoverableError('tenant was deleted');
      },
    });
    const id = await queues.enqueue('ingest-call-analytics', payload(), { idempotencyKey: 'doomed' });
    expect(await finalState(queues, id)).toBe('failed');
    expect(calls).toBe(1);
    const [dead] = await deadLetters(queues);
    expect(dead).toMatchObject({ jobId: id, error: 'tenant was deleted', attemptsMade: 1 });
  });
});

describe('startJobWorker: payloads that can never succeed', () => {
  it('a payload that fails its contract is dead-lettered immediately, without calling the processor or retrying', async () => {
    let calls = 0;
    const { queues } = setup({
      'ingest-call-analytics': async () => {
        calls++;
      },
    });
    // A producer that skipped JobQueues.enqueue (an old version, a hand-written job): not validated on the way in.
    const bad = { tenantId: 'acme', callId: '', turns: [{ ...turn(0), confidence: 7 }] };
    const job = await queues.queues.analytics.add('ingest-call-analytics', bad, { jobId: 'raw-bad', attempts: 5 });
    expect(await finalState(queues, job.id!)).toBe('failed');
    expect(calls).toBe(0);

    const failed = (await queues.queues.analytics.getJob(job.id!)) as Job;
    expect(failed.attemptsMade).toBe(1);
    const [dead, ...more] = await deadLetters(queues);
    expect(more).toEqual([]);
    expect(dead).toMatchObject({ queue: 'analytics', jobName: 'ingest-call-analytics', jobId: 'raw-bad', attemptsMade: 1, data: JSON.parse(JSON.stringify(bad)) });
    expect(dead!.error).toMatch(/Invalid ingest-call-analytics job payload/);
    expect(dead!.error).toContain('callId');
    expect(dead!.error).toContain('turns.0.confidence');
  });

  it('a job with an unknown name is dead-lettered, and so is a known job this worker has no processor for', async () => {
    const { queues } = setup({});
    // BullMQ's own integer ids: the dead-letter id must still be a valid custom id.
    const unknown = await queues.queues.analytics.add('no-such-job', { anything: 1 }, { attempts: 5 });
    const unhandled = await queues.enqueue('ingest-call-analytics', payload(), { idempotencyKey: 'no-processor' });
    expect(await finalState(queues, unknown.id!)).toBe('failed');
    expect(await finalState(queues, unhandled)).toBe('failed');

    const dead = await deadLetters(queues);
    const byJob = Object.fromEntries(dead.map((d) => [d.jobId, d]));
    expect(Object.keys(byJob).sort()).toEqual([unknown.id!, unhandled].sort());
    expect(byJob[unknown.id!]).toMatchObject({ jobName: 'no-such-job', attemptsMade: 1, data: { anything: 1 }, error: 'No processor for job no-such-job on queue analytics' });
    expect(byJob[unhandled]).toMatchObject({ jobName: 'ingest-call-analytics', attemptsMade: 1, error: 'No processor for job ingest-call-analytics on queue analytics' });
    const [depth] = await queues.depths();
    expect(depth).toMatchObject({ failed: 2, deadLettered: 2 });
  });

  it('a job failed by the stalled-job check (its worker died too often) is dead-lettered too', async () => {
    let active: Job | undefined;
    let release: () => void = () => {};
    const { queues, worker } = setup({
      'ingest-call-analytics': async (_payload, job) => {
        active = job;
        await new Promise<void>((r) => (release = r));
        return {};
      },
    });
    await worker.waitUntilReady();
    const jobId = await queues.enqueue('ingest-call-analytics', payload(), { idempotencyKey: 'stalled', attempts: 1 });
    try {
      const job = await waitFor('the job to be active', async () => active);
      // What BullMQ's stalled check does once a job exceeded maxStalledCount: fail it outside the processor.
      await job.moveToFailed(new Error('job stalled more than allowable limit'), job.token!, false);
    const dead = await waitFor('dead letter', async () => (await queues.queues['dead-letter'].getJobs(['waiting']))[0]);
      expect(DeadLetter.parse(dead.data)).toMatchObject({ queue: 'analytics', jobId, error: 'job stalled more than allowable limit', jobName: 'ingest-call-analytics' });
    } finally {
      release();
    }
  });
});
