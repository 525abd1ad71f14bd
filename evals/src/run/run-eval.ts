import { randomBytes } from 'node:crypto';
import { errorMessage, type Config, type Logger } from '@cc/core';
import { bullJobId, type DeadLetter, type EvalPrices, type JobQueues } from '@cc/queue';
import type { AnalyticsStore } from '@cc/store/clickhouse';
import { upsertEvalRun } from '@cc/store/clickhouse';
import type { DatabaseHandle } from '@cc/store/postgres';
import { EVAL_SCORE_JOBS, EvalInputError, evalProcessors, startJobWorker, type JobWorkerOptions } from '@cc/worker';
import { duplicateIds, loadEvalDataset, type EvalDataset } from './datasets.ts';
import { evalDeps, resolveAgentVersion } from './deps.ts';
import { collectReport, type EvalReport } from './report.ts';

export interface EvalStores {
  db: DatabaseHandle;
  analytics: AnalyticsStore;
  queues: JobQueues;
  /** A connection workers may block on. */
  workerRedis: JobWorkerOptions['connection'];
}

export interface RunEvalOptions {
  stores: EvalStores;
  logger: Logger;
  config?: Config;
  tenantId: string;
  dataset: string;
  limit?: number;
  /** An agent version id, or `latest`. */
  agentVersion: string;
  /** Default: `run-<UTC timestamp>-<random>`. The same id re-runs (replaces) a run's rows. */
  runId?: string;
  /** Start the run's start instant (row times derive from it); default now. Keep it to re-run identically. */
  startedAt?: Date;
  /** Start evaluation workers in this process (default true); false = other processes consume `evals`. */
  startWorkers?: boolean;
  concurrency?: number;
  prices?: EvalPrices;
  /** Called whenever the number of finished calls changes. */
  onProgress?: (p: { done: number; total: number; elapsedMs: number }) => void;
  /** Give up waiting after this long (default 30 min): unfinished calls are reported as such. */
  timeoutMs?: number;
  pollMs?: number;
  /** A previous run of the same tenant: the report adds intent-distribution / confidence drift against it. */
  baselineRunId?: string;
}

export interface EvalRunResult {
  runId: string;
  agentVersion: string;
  report: EvalReport;
}

export function newRunId(now = new Date()): string {
  return `run-${now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${randomBytes(3).toString('hex')}`;
}

/**
 * One eval run: enqueue a replay per dataset call (its five score jobs follow it), let the workers
 * run, wait until every call is finished (scored or dead-lettered), and collect the report from
 * ClickHouse and the dead-letter queue. One bad call never fails the run.
 */
export async function runEval(opts: RunEvalOptions): Promise<EvalRunResult> {
  const { stores, logger } = opts;
  const startedAt = opts.startedAt ?? new Date();
  const runId = opts.runId ?? newRunId(startedAt);
  const agentVersion = await resolveAgentVersion(stores.db.db, opts.tenantId, opts.agentVersion);
  const dataset: EvalDataset = await loadEvalDataset(opts.dataset, opts.limit ? { limit: opts.limit } : {});
  const ids = [...new Set(dataset.calls.map((c) => c.id))];
  const duplicates = duplicateIds(dataset.calls);
  const run = { runId, tenantId: opts.tenantId, dataset: opts.dataset, agentVersion, startedAt, calls: ids.length };
  await upsertEvalRun(stores.analytics, { ...run, status: 'running', details: { limit: opts.limit ?? null } });

  let worker: ReturnType<typeof startJobWorker> | undefined;
  if (opts.startWorkers !== false) {
    const deps = evalDeps({ db: stores.db.db, analytics: stores.analytics, queues: stores.queues, logger, datasets: [dataset], ...(opts.config ? { config: opts.config } : {}), ...(opts.prices ? { prices: opts.prices } : {}) });
    worker = startJobWorker({ queue: 'evals', connection: stores.workerRedis, queues: stores.queues, processors: evalProcessors(deps), logger, concurrency: opts.concurrency ?? 2 });
  }
  try {
    const rejected = new Map<string, string>();
    const ref = { tenantId: opts.tenantId, runId, dataset: opts.dataset, agentVersion, runStartedAt: startedAt.toISOString() };
    for (const callId of ids) {
      try {
        await stores.queues.enqueue('eval-replay-call', { ...ref, callId, scoreJobs: true }, { idempotencyKey: `${runId}:${callId}` });
      } catch (err) {
        rejected.set(callId, errorMessage(err));
      }
    }
    const accepted = ids.filter((id) => !rejected.has(id));
    const timedOut = await waitForCalls(stores.queues, runId, accepted, opts);
    const deadLetters = await runDeadLetters(stores.queues, runId);
    const report = await collectReport(stores.analytics, {
      ...run,
      callIds: ids,
      duplicates,
      rejected,
      deadLetters,
      timedOut,
      finishedAt: new Date(),
      ...(opts.baselineRunId ? { baselineRunId: opts.baselineRunId } : {}),
    });
    await upsertEvalRun(stores.analytics, { ...run, status: 'completed', details: { headline: report.headline, timedOut: timedOut.length, deadLetters: deadLetters.length } });
    return { runId, agentVersion, report };
  } catch (err) {
    await upsertEvalRun(stores.analytics, { ...run, status: 'failed', details: { error: errorMessage(err) } }).catch(() => undefined);
    throw err;
  } finally {
    await worker?.close();
    logger.debug({ runId }, 'eval run finished');
  }
}

const TERMINAL = new Set(['completed', 'failed']);

/** Poll job states until each call's replay failed for good or its five scores are terminal; returns unfinished calls. */
async function waitForCalls(queues: JobQueues, runId: string, callIds: string[], opts: RunEvalOptions): Promise<string[]> {
  const q = queues.queues.evals;
  const pending = new Set(callIds);
  const t0 = Date.now();
  const deadline = t0 + (opts.timeoutMs ?? 30 * 60_000);
  const state = async (name: string, callId: string) => {
    const job = await q.getJob(bullJobId(name, `${runId}:${callId}`));
    return job ? await job.getState() : 'missing';
  };
  let reported = -1;
  while (pending.size > 0 && Date.now() < deadline) {
    for (const callId of [...pending]) {
      const replay = await state('eval-replay-call', callId);
      if (replay === 'failed') pending.delete(callId);
      else if (replay === 'completed') {
        const scores = await Promise.all(EVAL_SCORE_JOBS.map((n) => state(n, callId)));
        if (scores.every((s) => TERMINAL.has(s))) pending.delete(callId);
      }
    }
    const done = callIds.length - pending.size;
    if (done !== reported) {
      reported = done;
      opts.onProgress?.({ done, total: callIds.length, elapsedMs: Date.now() - t0 });
    }
    if (pending.size > 0) await new Promise((r) => setTimeout(r, opts.pollMs ?? 200));
  }
  return [...pending];
}

/** Dead-letter entries of this run's jobs (from any of the evaluation job names). */
export async function runDeadLetters(queues: JobQueues, runId: string): Promise<DeadLetter[]> {
  const jobs = await queues.queues['dead-letter'].getJobs(['waiting', 'completed', 'failed', 'delayed', 'active'], 0, 99_999);
  return jobs.map((j) => j.data as DeadLetter).filter((d) => d?.queue === 'evals' && (d.data as { runId?: string } | null)?.runId === runId);
}

export { EvalInputError };
