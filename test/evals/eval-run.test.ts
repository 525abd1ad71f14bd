import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createLogger } from '@cc/core';
import { JobQueues, bullJobId, createRedis, pingRedis } from '@cc/queue';
import { evalRowCounts, getEvalRun, migrateAnalytics, openChdbStore, type AnalyticsStore } from '@cc/store/clickhouse';
import { createDatabase, getTenantBySlug, migrate, type DatabaseHandle } from '@cc/store/postgres';
import { seedDemoTenant } from '@cc/platform/seed-demo';
import { evalProcessors } from '@cc/worker';
import { loadEvalDataset, registerDataset } from '../../evals/src/run/datasets.ts';
import { evalDeps, resolveAgentVersion } from '../../evals/src/run/deps.ts';
import { renderMarkdown } from '../../evals/src/run/report.ts';
import { runEval } from '../../evals/src/run/run-eval.ts';

/**
 * A small text eval end to end: the demo agent (real intent model and KB, on PGlite) replays SGD test
 * dialogues; jobs go through BullMQ on the suite's redis-server; rows land in chDB; the report is read
 * back from ClickHouse and the dead-letter queue.
 */
const logger = createLogger({ level: 'silent' });
let handle: DatabaseHandle;
let analytics: AnalyticsStore;
let redis: Redis;
let workerRedis: Redis;
let queues: JobQueues;
let tenantId: string;
let agentVersion: string;
let firstRunId: string;

beforeAll(async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'evals-'));
  handle = await createDatabase({ DATA_DIR: dataDir }, { inMemory: true });
  await migrate(handle);
  await seedDemoTenant(handle, dataDir, logger);
  tenantId = (await getTenantBySlug(handle.db, 'demo'))!.id;
  agentVersion = await resolveAgentVersion(handle.db, tenantId, 'latest');
  analytics = await openChdbStore({ path: join(dataDir, 'chdb'), database: 'cc_evals' });
  await migrateAnalytics(analytics);
  redis = createRedis(inject('redisUrl'));
  workerRedis = createRedis(inject('redisUrl'), { forWorker: true });
  await pingRedis(redis);
  queues = new JobQueues(redis, `evals-${randomUUID().slice(0, 8)}`, { attempts: 3, backoff: { type: 'fixed', delay: 50 } });
}, 120_000);

afterAll(async () => {
  await queues?.close();
  redis?.disconnect();
  workerRedis?.disconnect();
  await analytics?.close();
  await handle?.close();
});

type Job = Parameters<NonNullable<ReturnType<typeof evalProcessors>['score-intent']>>[1];
const stores = () => ({ db: handle, analytics, queues, workerRedis });

describe('an eval run over SGD test dialogues', () => {
  let runId: string;
  let startedAt: Date;

  it('replays and scores every call exactly once, with sensible metrics and a report', async () => {
    const progress: number[] = [];
    startedAt = new Date('2026-11-01T12:00:00Z');
    const { report, runId: id } = await runEval({ stores: stores(), logger, tenantId, dataset: 'sgd-test', limit: 5, agentVersion: 'latest', startedAt, concurrency: 2, onProgress: (p) => progress.push(p.done) });
    runId = id;
    firstRunId = id;
    const h = report.headline;
    expect(h).toMatchObject({ calls: 5, calls_scored: 5, calls_failed: 0, agent_version: agentVersion });
    expect(report.problems).toEqual([]);
    expect(progress.at(-1)).toBe(5);

    // Exactly once: one outcome per call, and each call is exactly one of contained / escalated / abandoned.
    expect(report.rows.callsReplayed).toBe(5);
    expect(report.rates.containment.denominator).toBe(5);
    expect(report.rates.containment.numerator + report.rates.escalation.numerator + report.rates.abandonment.numerator).toBe(5);
    expect(report.calls.map((c) => c.callId).sort()).toEqual((await loadEvalDataset('sgd-test', { limit: 5 })).calls.map((c) => c.id).sort());

    // Sensible figures: the demo agent knows these services' intents; three stages per caller turn.
    expect(report.rates.intent.denominator).toBeGreaterThan(5);
    expect(h.intent_accuracy).toBeGreaterThan(0.2);
    expect(h.coverage).toBeGreaterThan(0.5);
    expect(report.latency.map((l) => l.stage)).toEqual(['llm', 'nlu', 'policy']);
    const callerTurns = report.latency[0]!.n;
    expect(report.rows.stageLatency).toBe(3 * callerTurns);
    expect(report.rows.turns).toBe(5 + 2 * callerTurns); // greeting + caller/agent per replayed turn
    expect(h.cost_per_call_usd).toBeGreaterThan(0);
    expect(report.latency.find((l) => l.stage === 'nlu')!.p95).toBeGreaterThan(0);

    const md = renderMarkdown(report);
    expect(md).toContain('## Latency per stage');
    expect(md).toContain('| intent accuracy |');
    const run = await getEvalRun(analytics, tenantId, runId);
    expect(run).toMatchObject({ status: 'completed', calls: 5, dataset: 'sgd-test' });
  }, 80_000);

  it('re-running a job replaces its rows, never duplicates them', async () => {
    const before = await evalRowCounts(analytics, tenantId, runId);
    const processors = evalProcessors(evalDeps({ db: handle.db, analytics, queues, logger }));
    const [call] = (await loadEvalDataset('sgd-test', { limit: 1 })).calls;
    const ref = { tenantId, runId, dataset: 'sgd-test', callId: call!.id, agentVersion, runStartedAt: startedAt.toISOString() };
    const job = (name: string) => ({ id: bullJobId(name, `${runId}:${call!.id}`) }) as Job;
    // The replay re-runs (timings differ, so the rows really are written again) and so do two scorers.
    await processors['eval-replay-call']!({ ...ref, scoreJobs: false }, job('eval-replay-call'));
    await processors['score-intent']!(ref, job('score-intent'));
    await processors['score-containment']!(ref, job('score-containment'));
    expect(await evalRowCounts(analytics, tenantId, runId)).toEqual(before);
  }, 30_000);
});

describe('bad input', () => {
  it('reports missing labels, duplicate ids and unknown calls per call; the other calls are scored', async () => {
    const good = (await loadEvalDataset('sgd-test', { limit: 2 })).calls;
    const unlabelled = { ...good[0]!, id: 'no-labels', turns: good[0]!.turns.map((t) => ({ ...t, intent: null })) };
    const dup = { ...good[1]!, id: 'dup-1' };
    registerDataset('bad-input', [...good, unlabelled, dup, dup]);
    const { report } = await runEval({ stores: stores(), logger, tenantId, dataset: 'bad-input', agentVersion, concurrency: 2, baselineRunId: firstRunId });
    expect(report.headline.calls).toBe(4);
    // Good calls and the unlabelled one are replayed and scored for containment; the duplicate is not.
    expect(report.rows.callsReplayed).toBe(3);
    expect(report.rates.containment.denominator).toBe(3);
    const problems = report.problems.map((p) => `${p.callId} ${p.stage}`);
    expect(problems).toEqual(['dup-1 dataset', 'dup-1 eval-replay-call', 'no-labels score-intent']);
    expect(report.problems.find((p) => p.stage === 'eval-replay-call')!.error).toMatch(/duplicate call id dup-1/);
    expect(report.deadLetters.map((d) => d.jobName).sort()).toEqual(['eval-replay-call', 'score-intent']);
    expect(report.headline.calls_failed).toBe(2);
    // Drift against the first run: the same agent on a subset of the same calls.
    expect(report.drift).toMatchObject({ baselineRunId: firstRunId });
    expect(Number.isFinite(report.drift!.psi)).toBe(true);
    expect(report.drift!.currentMeanConfidence).toBeGreaterThan(0);
    expect(renderMarkdown(report)).toContain(`## Drift vs run ${firstRunId}`);
  }, 60_000);

  it('an unknown agent version dead-letters each call and still completes the run', async () => {
    const { report, runId } = await runEval({ stores: stores(), logger, tenantId, dataset: 'sgd-test', limit: 2, agentVersion: randomUUID(), concurrency: 2 });
    expect(report.headline).toMatchObject({ calls: 2, calls_scored: 0, calls_failed: 2, containment: null });
    expect(report.problems.every((p) => p.stage === 'eval-replay-call' && /unknown agent version/.test(p.error))).toBe(true);
    expect(report.deadLetters.map((d) => (d.data as { runId: string }).runId)).toEqual([runId, runId]);
  }, 30_000);
});
