import { QueueEvents, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { ValidationError, errorMessage, jobDuration, jobsTotal, parseOrThrow, type Logger } from '@cc/core';
import { jobContracts, type JobName, type JobPayload, type JobQueues, type QueueName } from '@cc/queue';

export type Processor<N extends JobName> = (payload: JobPayload<N>, job: Job) => Promise<unknown>;
export type Processors = { [N in JobName]?: Processor<N> };

export interface JobWorkerOptions {
  queue: QueueName;
  connection: Redis;
  queues: JobQueues;
  processors: Processors;
  logger: Logger;
  concurrency?: number;
  /** Short values let a crashed worker's jobs be picked up quickly (tests); production keeps BullMQ's defaults. */
  lockDurationMs?: number;
  stalledIntervalMs?: number;
}

/**
 * A BullMQ worker that validates each payload against its contract, retries with the queue's backoff,
 * and on the last failed attempt (or a payload that can never succeed) writes the job and its error
 * to the dead-letter queue before failing it.
 */
export function startJobWorker(opts: JobWorkerOptions): Worker {
  const log = opts.logger.child({ queue: opts.queue });
  const worker = new Worker(
    opts.queue,
    async (job: Job) => {
      const name = job.name as JobName;
      const timer = jobDuration.startTimer({ queue: opts.queue, job: job.name });
      try {
        const contract = jobContracts[name];
        const processor = opts.processors[name] as Processor<JobName> | undefined;
        if (!contract || !processor) throw new UnrecoverableError(`No processor for job ${job.name} on queue ${opts.queue}`);
        const payload = parseOrThrow(contract.schema, job.data, `${name} job payload`, { jobId: job.id });
        const result = await processor(payload, job);
        jobsTotal.inc({ queue: opts.queue, job: job.name, outcome: 'completed' });
        return result;
      } catch (err) {
        const permanent = err instanceof UnrecoverableError || err instanceof ValidationError;
        const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
        if (permanent || lastAttempt) {
          await opts.queues.deadLetter({
            queue: opts.queue,
            jobName: job.name,
            jobId: job.id ?? 'unknown',
            data: job.data,
            error: errorMessage(err),
            attemptsMade: job.attemptsMade + 1,
            failedAt: new Date().toISOString(),
          });
          jobsTotal.inc({ queue: opts.queue, job: job.name, outcome: 'dead_lettered' });
          log.error({ jobId: job.id, job: job.name, err: errorMessage(err) }, 'job dead-lettered');
          throw permanent && !(err instanceof UnrecoverableError) ? new UnrecoverableError(errorMessage(err)) : err;
        }
        jobsTotal.inc({ queue: opts.queue, job: job.name, outcome: 'retried' });
        log.warn({ jobId: job.id, job: job.name, attempt: job.attemptsMade + 1, err: errorMessage(err) }, 'job failed, will retry');
        throw err;
      } finally {
        timer();
      }
    },
    {
      connection: opts.connection,
      prefix: opts.queues.prefix,
      concurrency: opts.concurrency ?? 4,
      ...(opts.lockDurationMs ? { lockDuration: opts.lockDurationMs } : {}),
      ...(opts.stalledIntervalMs ? { stalledInterval: opts.stalledIntervalMs } : {}),
    },
  );
  worker.on('error', (err) => log.error({ err: errorMessage(err) }, 'worker error'));
  deadLetterStalledJobs(worker, opts, log);
  return worker;
}

/**
 * A job whose worker died more often than BullMQ allows is failed by the stalled-job check, which runs
 * neither the processor nor the worker's `failed` event; queue events still report it, so it is
 * dead-lettered from here. Every worker node listens: the dead-letter job id makes that idempotent.
 */
function deadLetterStalledJobs(worker: Worker, opts: JobWorkerOptions, log: Logger): void {
  // Its own connection: reading queue events blocks, and must not queue behind the worker's commands.
  const connection = opts.connection.duplicate();
  const events = new QueueEvents(opts.queue, { connection, prefix: opts.queues.prefix });
  events.on('failed', async ({ jobId, failedReason }) => {
    if (!/stalled more than allowable limit/.test(failedReason)) return;
    try {
      const job = await opts.queues.queues[opts.queue].getJob(jobId);
      await opts.queues.deadLetter({
        queue: opts.queue,
        jobName: job?.name ?? 'unknown',
        jobId,
        data: job?.data ?? null,
        error: failedReason,
        attemptsMade: job?.attemptsMade ?? 0,
        failedAt: new Date().toISOString(),
      });
      jobsTotal.inc({ queue: opts.queue, job: job?.name ?? 'unknown', outcome: 'dead_lettered' });
      log.error({ jobId, err: failedReason }, 'stalled job dead-lettered');
    } catch (err) {
      log.error({ jobId, err: errorMessage(err) }, 'could not dead-letter a stalled job');
    }
  });
  events.on('error', (err) => log.error({ err: errorMessage(err) }, 'queue events error'));
  worker.on('closed', () => void events.close().finally(() => connection.disconnect()));
}
