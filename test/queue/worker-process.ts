/**
 * A job worker in its own process, for the crash-recovery test: `node --import tsx test/queue/worker-process.ts`
 * (or forked with that execArgv). It ingests into ClickHouse over HTTP and reports over IPC:
 *   { type: 'ready' } once the worker listens, { type: 'batch', jobId, table, index, rows, attemptsMade, stalledCounter } after
 *   every batch written, { type: 'crashing', ... } just before it kills itself.
 *
 * Environment:
 *   CC_REDIS_URL, CC_CLICKHOUSE_URL, CC_CLICKHOUSE_DATABASE, CC_QUEUE_PREFIX   where to work (all required)
 *   CC_BATCH_ROWS          rows per insert (default 5000; must be the same for every worker of a job)
 *   CC_LOCK_MS, CC_STALLED_MS   BullMQ lock duration and stalled-check interval (short: a dead worker's job is picked up fast)
 *   CC_CONCURRENCY         default 1
 *   CC_CRASH_AFTER         "<table>:<batchIndex>": SIGKILL this process right after that batch is written,
 *                          as a crash would, with no chance to clean up or release the job's lock.
 * SIGTERM closes the worker gracefully (finishing active jobs) and exits 0.
 */
import { createLogger, type AnalyticsTable } from '@cc/core';
import { JobQueues, createRedis, pingRedis } from '@cc/queue';
import { createHttpStore } from '@cc/store/clickhouse';
import { ingestCallAnalytics, startJobWorker } from '@cc/worker';

export type WorkerMessage =
  | { type: 'ready'; pid: number }
  | { type: 'batch' | 'crashing'; pid: number; jobId: string; table: AnalyticsTable; index: number; rows: number; attemptsMade: number; stalledCounter: number };

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`worker-process: ${name} is required`);
  return value;
}
const intEnv = (name: string, fallback: number) => (process.env[name] ? Number.parseInt(process.env[name]!, 10) : fallback);

const send = (message: WorkerMessage) => new Promise<void>((resolve) => (process.send ? process.send(message, () => resolve()) : resolve()));

async function main(): Promise<void> {
  const redisUrl = env('CC_REDIS_URL');
  const [crashTable, crashIndex] = (process.env.CC_CRASH_AFTER ?? '').split(':');
  const logger = createLogger({ level: process.env.LOG_LEVEL ?? 'warn', name: `worker-${process.pid}` });

  const redis = createRedis(redisUrl);
  const workerRedis = createRedis(redisUrl, { forWorker: true });
  await pingRedis(redis);
  const queues = new JobQueues(redis, env('CC_QUEUE_PREFIX'));
  const store = createHttpStore({ url: env('CC_CLICKHOUSE_URL'), database: env('CC_CLICKHOUSE_DATABASE') });
  await store.ping();

  const worker = startJobWorker({
    queue: 'analytics',
    connection: workerRedis,
    queues,
    logger,
    concurrency: intEnv('CC_CONCURRENCY', 1),
    lockDurationMs: intEnv('CC_LOCK_MS', 0) || undefined,
    stalledIntervalMs: intEnv('CC_STALLED_MS', 0) || undefined,
    processors: {
      'ingest-call-analytics': ingestCallAnalytics(store, {
        batchRows: intEnv('CC_BATCH_ROWS', 5_000),
        onBatchWritten: async ({ job, table, index, rows }) => {
          const report = { pid: process.pid, jobId: job.id ?? '', table, index, rows, attemptsMade: job.attemptsMade, stalledCounter: job.stalledCounter };
          if (table === crashTable && String(index) === crashIndex) {
            await send({ type: 'crashing', ...report });
            process.kill(process.pid, 'SIGKILL');
          }
          await send({ type: 'batch', ...report });
        },
      }),
    },
  });
  await worker.waitUntilReady();

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await worker.close();
    await queues.close();
    await store.close();
    redis.disconnect();
    workerRedis.disconnect();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
  process.once('disconnect', () => void stop());
  await send({ type: 'ready', pid: process.pid });
}

main().catch((err: unknown) => {
  console.error('worker-process failed:', err);
  process.exit(1);
});
