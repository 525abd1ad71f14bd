/**
 * An evaluation worker in its own process, for the crash test: forked with `--import tsx`. It serves
 * the `evals` queue with the real processors (demo agent from Postgres, rows to ClickHouse over HTTP)
 * and reports over IPC: { type: 'ready' }, then { type: 'crashing', callId } right before it SIGKILLs
 * itself.
 *
 * Environment: CC_REDIS_URL, CC_DATABASE_URL, CC_CLICKHOUSE_URL, CC_CLICKHOUSE_DATABASE, CC_QUEUE_PREFIX
 * (required); CC_LOCK_MS, CC_STALLED_MS (BullMQ lock and stalled-check interval); CC_CRASH_ON_REPLAY=N:
 * the N-th replay this process runs writes its rows and enqueues its scores, then the process dies
 * before the job completes (no chance to release the lock), as a crash would.
 */
import { createLogger } from '@cc/core';
import { JobQueues, createRedis, pingRedis } from '@cc/queue';
import { createHttpStore } from '@cc/store/clickhouse';
import { createDatabase } from '@cc/store/postgres';
import { evalProcessors, startJobWorker } from '@cc/worker';
import { evalDeps } from '../../evals/src/run/deps.ts';

export type EvalWorkerMessage = { type: 'ready'; pid: number } | { type: 'crashing'; pid: number; callId: string };

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`eval-worker-process: ${name} is required`);
  return value;
}
const send = (m: EvalWorkerMessage) => new Promise<void>((resolve) => (process.send ? process.send(m, () => resolve()) : resolve()));

async function main(): Promise<void> {
  const logger = createLogger({ level: process.env.LOG_LEVEL ?? 'warn', name: `eval-worker-${process.pid}` });
  const redis = createRedis(env('CC_REDIS_URL'));
  const workerRedis = createRedis(env('CC_REDIS_URL'), { forWorker: true });
  await pingRedis(redis);
  const queues = new JobQueues(redis, env('CC_QUEUE_PREFIX'));
  const analytics = createHttpStore({ url: env('CC_CLICKHOUSE_URL'), database: env('CC_CLICKHOUSE_DATABASE') });
  const db = await createDatabase({ DATABASE_URL: env('CC_DATABASE_URL'), DATA_DIR: 'unused' });
  const processors = evalProcessors(evalDeps({ db: db.db, analytics, queues, logger }));
  const crashOn = Number(process.env.CC_CRASH_ON_REPLAY ?? 0);
  let replays = 0;
  const replay = processors['eval-replay-call']!;
  processors['eval-replay-call'] = async (payload, job) => {
    const result = await replay(payload, job);
    if (++replays === crashOn) {
      await send({ type: 'crashing', pid: process.pid, callId: payload.callId });
      process.kill(process.pid, 'SIGKILL');
      await new Promise(() => undefined);
    }
    return result;
  };
  const lock = Number(process.env.CC_LOCK_MS ?? 0);
  const stalled = Number(process.env.CC_STALLED_MS ?? 0);
  const worker = startJobWorker({
    queue: 'evals',
    connection: workerRedis,
    queues,
    processors,
    logger,
    concurrency: 2,
    ...(lock ? { lockDurationMs: lock } : {}),
    ...(stalled ? { stalledIntervalMs: stalled } : {}),
  });
  await worker.waitUntilReady();
  await send({ type: 'ready', pid: process.pid });
  process.on('SIGTERM', () => {
    void worker
      .close()
      .then(() => Promise.all([queues.close(), analytics.close(), db.close()]))
      .finally(() => {
        redis.disconnect();
        workerRedis.disconnect();
        process.exit(0);
      });
  });
}

main().catch((err) => {
  process.stderr.write(`eval-worker-process: ${err instanceof Error ? err.stack : err}\n`);
  process.exit(1);
});
