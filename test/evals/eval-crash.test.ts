import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createLogger } from '@cc/core';
import { JobQueues, bullJobId, createRedis, pingRedis } from '@cc/queue';
import { createHttpStore, migrateAnalytics, type AnalyticsStore } from '@cc/store/clickhouse';
import { createDatabase, getTenantBySlug, migrate, type DatabaseHandle } from '@cc/store/postgres';
import { seedDemoTenant } from '@cc/platform/seed-demo';
import { createDatabase as createServerDatabase } from '../support/postgres-server.ts';
import { startClickHouseHttpServer, type ClickHouseHttpServer } from '../support/clickhouse-http-server.ts';
import { runEval } from '../../evals/src/run/run-eval.ts';
import type { EvalWorkerMessage } from './eval-worker-process.ts';

/**
 * An eval run survives a worker process that dies mid-job: the first worker process is SIGKILLed right
 * after a replay wrote its rows (before the job completes), a second process picks the stalled job up
 * and re-runs it, and every call is still counted exactly once.
 */
const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, '..', '..');
const logger = createLogger({ level: 'silent' });
const children: ChildProcess[] = [];
let server: ClickHouseHttpServer;
let analytics: AnalyticsStore;
let handle: DatabaseHandle;
let databaseUrl: string;
let redis: Redis;
let workerRedis: Redis;

beforeAll(async () => {
  server = await startClickHouseHttpServer();
  analytics = createHttpStore({ url: server.url, database: 'evals_crash' });
  await migrateAnalytics(analytics);
  databaseUrl = await createServerDatabase(inject('databaseUrl'), `t_evals_crash_${randomBytes(4).toString('hex')}`);
  handle = await createDatabase({ DATABASE_URL: databaseUrl, DATA_DIR: 'unused' });
  await migrate(handle);
  await seedDemoTenant(handle, mkdtempSync(join(tmpdir(), 'evals-crash-')), logger);
  redis = createRedis(inject('redisUrl'));
  workerRedis = createRedis(inject('redisUrl'), { forWorker: true });
  await pingRedis(redis);
}, 120_000);

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  redis?.disconnect();
  workerRedis?.disconnect();
  await analytics?.close();
  await handle?.close();
  await server?.stop();
});

function startWorker(env: Record<string, string>) {
  const child = fork(join(here, 'eval-worker-process.ts'), [], { cwd: repoRoot, execArgv: ['--import', 'tsx'], env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  children.push(child);
  const messages: EvalWorkerMessage[] = [];
  let output = '';
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  child.on('message', (m) => messages.push(m as EvalWorkerMessage));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return { child, messages, exited, output: () => output };
}

describe('an eval run with a worker process killed mid-job', () => {
  it('finishes with every call counted exactly once', async () => {
    const tenantId = (await getTenantBySlug(handle.db, 'demo'))!.id;
    const prefix = `evals-crash-${process.pid}`;
    const queues = new JobQueues(redis, prefix, { attempts: 3, backoff: { type: 'fixed', delay: 50 } });
    const common = {
      CC_REDIS_URL: inject('redisUrl'), CC_DATABASE_URL: databaseUrl, CC_CLICKHOUSE_URL: server.url, CC_CLICKHOUSE_DATABASE: 'evals_crash',
      CC_QUEUE_PREFIX: prefix, CC_LOCK_MS: '1000', CC_STALLED_MS: '300', LOG_LEVEL: 'error',
    };
    const first = startWorker({ ...common, CC_CRASH_ON_REPLAY: '2' });
    let second: ReturnType<typeof startWorker> | undefined;
    // The second worker starts once the first one is dead: the stalled replay can only finish there.
    void first.exited.then(() => (second = startWorker(common)));
    try {
      const { report, runId } = await runEval({ stores: { db: handle, analytics, queues, workerRedis }, logger, tenantId, dataset: 'sgd-test', limit: 4, agentVersion: 'latest', startWorkers: false, timeoutMs: 75_000 });
      expect(await first.exited, first.output()).toEqual({ code: null, signal: 'SIGKILL' });
      const crash = first.messages.find((m) => m.type === 'crashing');
      expect(crash).toBeDefined();
      // The killed replay stalled, was picked up by the second process and completed there.
      const crashed = await queues.queues.evals.getJob(bullJobId('eval-replay-call', `${runId}:${crash!.type === 'crashing' ? crash!.callId : ''}`));
      expect(await crashed!.getState()).toBe('completed');
      expect(crashed!.stalledCounter).toBeGreaterThanOrEqual(1);
      expect(report.problems).toEqual([]);
      expect(report.headline).toMatchObject({ calls: 4, calls_scored: 4, calls_failed: 0 });
      expect(report.rows.callsReplayed).toBe(4);
      expect(report.rates.containment.denominator).toBe(4);
      const callerTurns = report.latency.find((l) => l.stage === 'nlu')!.n;
      expect(report.rows.stageLatency).toBe(3 * callerTurns);
      expect(report.rows.turns).toBe(4 + 2 * callerTurns);
      // One cost row per call, even for the call whose replay ran twice.
      expect(report.calls.map((c) => c.costUsd !== null)).toEqual([true, true, true, true]);
    } finally {
      for (const c of [first, second]) if (c && c.child.exitCode === null && c.child.signalCode === null) c.child.kill('SIGTERM');
      await second?.exited;
      await queues.close();
    }
  }, 90_000);
});
