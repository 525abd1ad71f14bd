import { Queue, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { AppError, parseOrThrow } from '@cc/core';
import { jobContracts, queueNames, type DeadLetter, type JobName, type JobPayload, type QueueName } from './contracts.ts';

export const defaultJobOptions: JobsOptions = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 1_000 },
  removeOnComplete: { age: 24 * 3600, count: 10_000 },
  // Failed jobs move to the dead-letter queue with their error; the original is kept for a week for inspection.
  removeOnFail: { age: 7 * 24 * 3600 },
};

export interface EnqueueOptions {
  /** Same key, same job: BullMQ ignores an add whose jobId already exists, so producers can retry safely. */
  idempotencyKey: string;
  delayMs?: number;
  attempts?: number;
}

export interface QueueDepth {
  name: QueueName;
  waiting: number;
  active: number;
  delayed: number;
  failed: number;
  completed: number;
  prioritized: number;
  /** Jobs from this queue that failed for good and wait in the dead-letter queue. */
  deadLettered: number;
}

/**
 * A BullMQ custom job id made of `parts` joined with ".". BullMQ refuses custom ids that contain ":"
 * (except in exactly three parts, its legacy repeatable-job form) and ids that are integers, so ":"
 * is written as "%3A". Idempotency keys never contain "%" and queue and job names never contain "."
 * or ":", so the mapping is one-to-one.
 */
export function bullJobId(...parts: string[]): string {
  return parts.map((part) => part.replaceAll(':', '%3A')).join('.');
}

/** The producer side: validated, idempotent enqueueing onto named queues. */
export class JobQueues {
  readonly queues: Record<QueueName, Queue>;
  /** The options every job gets unless an enqueue overrides them: `defaultJobOptions` plus the constructor's overrides. */
  readonly jobOptions: JobsOptions;

  /** `jobOptions` override `defaultJobOptions` (e.g. a short backoff in tests). */
  constructor(connection: Redis, readonly prefix = 'cc', jobOptions: JobsOptions = {}) {
    this.jobOptions = { ...defaultJobOptions, ...jobOptions };
    this.queues = Object.fromEntries(
      queueNames.map((name) => [name, new Queue(name, { connection, prefix, defaultJobOptions: this.jobOptions })]),
    ) as Record<QueueName, Queue>;
  }

  async enqueue<N extends JobName>(name: N, payload: JobPayload<N>, opts: EnqueueOptions): Promise<string> {
    const contract = jobContracts[name];
    if (!contract) throw new AppError('unknown_job', `Unknown job ${String(name)}`, { status: 400 });
    const data = parseOrThrow(contract.schema, payload, `${name} job payload`, { job: name });
    if (!/^[\w.:-]{1,200}$/.test(opts.idempotencyKey)) {
      throw new AppError('bad_idempotency_key', `Idempotency key must be 1-200 characters of letters, digits, ".", ":", "_" or "-"`, { status: 400 });
    }
    const job = await this.queues[contract.queue].add(name, data, {
      jobId: bullJobId(name, opts.idempotencyKey),
      ...(opts.delayMs ? { delay: opts.delayMs } : {}),
      ...(opts.attempts ? { attempts: opts.attempts } : {}),
    });
    return job.id!;
  }

  async deadLetter(entry: DeadLetter): Promise<void> {
    await this.queues['dead-letter'].add('dead-letter', entry, { jobId: bullJobId(entry.queue, entry.jobId), removeOnComplete: false, removeOnFail: false });
  }

  /** Depths of the work queues; dead-lettered jobs are counted against the queue they came from. */
  async depths(): Promise<QueueDepth[]> {
    const dead = await this.queues['dead-letter'].getJobs(['waiting'], 0, 9_999);
    const deadBy = new Map<string, number>();
    for (const job of dead) deadBy.set(job.data?.queue, (deadBy.get(job.data?.queue) ?? 0) + 1);
    return Promise.all(
      queueNames
        .filter((name) => name !== 'dead-letter')
        .map(async (name) => {
          const c = await this.queues[name].getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed', 'prioritized');
          const n = (k: string) => c[k] ?? 0;
          return { name, waiting: n('waiting'), active: n('active'), delayed: n('delayed'), failed: n('failed'), completed: n('completed'), prioritized: n('prioritized'), deadLettered: deadBy.get(name) ?? 0 };
        }),
    );
  }

  async close(): Promise<void> {
    await Promise.all(Object.values(this.queues).map((q) => q.close()));
  }
}
