import { fork, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Redis } from 'ioredis';
import { createLogger, type AnalyticsTable, type CallEventRow, type StageLatencyRow, type TurnRow } from '@cc/core';
import { JobQueues, createRedis, pingRedis, type IngestCallAnalytics } from '@cc/queue';
import { countRows, createHttpStore, ingestRows, migrateAnalytics, type AnalyticsStore } from '@cc/store/clickhouse';
import { ingestCallAnalytics, startJobWorker } from '@cc/worker';
import { startClickHouseHttpServer, type ClickHouseHttpServer } from '../support/clickhouse-http-server.ts';
import type { WorkerMessage } from './worker-process.ts';

/**
 * Exactly-once ingestion across a worker crash. A worker process is SIGKILLed right after it wrote
 * the first batch of a job; a second worker process picks the stalled job up and re-runs it from
 * the start. The re-sent batches carry the same insert_deduplication_token, so ClickHouse drops them:
 * every row is stored once, even in a plain count without FINAL (merges are stopped so that
 * ReplacingMergeTree can't hide duplicates).
 */
const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, '..', '..');
const STAGES = ['vad', 'asr', 'nlu', 'policy', 'llm', 'tts', 'transport'] as const;
const TABLES = ['turns', 'stage_latency', 'call_events'] as const satisfies readonly AnalyticsTable[];
/** The natural key of each table (its ORDER BY without the derived day): copies of a row share it. */
const KEYS: Record<(typeof TABLES)[number], string> = {
  turns: 'tenant_id, call_id, turn_index',
  stage_latency: 'tenant_id, call_id, turn_index, stage',
  call_events: 'tenant_id, call_id, seq',
};

function callPayload(tenantId: string, callId: string, sizes: { turns: number; stages: number; events: number }): IngestCallAnalytics {
  const t0 = Date.parse('2026-10-01T10:00:00Z');
  const at = (ms: number) => new Date(t0 + ms);
  const turns: TurnRow[] = Array.from({ length: sizes.turns }, (_, i) => ({
    tenant_id: tenantId, call_id: callId, turn_index: i, agent_version: '1.0.0', speaker: i % 2 ? 'agent' : 'caller',
    text_redacted: `turn ${i} of ${callId}`, intent: i % 3 ? 'billing' : 'cancel', confidence: (i % 100) / 100, started_at: at(i * 1000), ended_at: at(i * 1000 + 800),
  }));
  const stageLatency: StageLatencyRow[] = Array.from({ length: sizes.stages }, (_, i) => ({
    tenant_id: tenantId, call_id: callId, turn_index: Math.floor(i / STAGES.length), agent_version: '1.0.0', stage: STAGES[i % STAGES.length]!,
    started_at: at(Math.floor(i / STAGES.length) * 1000), duration_ms: 5 + (i % 400),
  }));
  const events: CallEventRow[] = Array.from({ length: sizes.events }, (_, i) => ({
    tenant_id: tenantId, call_id: callId, seq: i, agent_version: '1.0.0', event_type: i === sizes.events - 1 ? 'call_ended' : 'turn', at: at(i * 500), payload: '{}',
  }));
  return { tenantId, callId, turns, stageLatency, events };
}
const rowsIn = (p: IngestCallAnalytics) => ({ turns: p.turns.length, stage_latency: p.stageLatency.length, call_events: p.events.length });

interface TableCounts {
  raw: number;
  distinct: number;
  final: number;
}
async function tableCounts(store: AnalyticsStore, table: (typeof TABLES)[number], tenantId: string): Promise<TableCounts> {
  const [row] = await store.query<{ raw: number; distinct: number }>(
    `SELECT count() AS raw, uniqExact(${KEYS[table]}) AS distinct FROM ${table} WHERE tenant_id = {tenantId:String}`,
    { tenantId },
  );
  return { raw: Number(row?.raw), distinct: Number(row?.distinct), final: await countRows(store, table, tenantId) };
}
async function rawCount(store: AnalyticsStore, table: string, tenantId: string): Promise<number> {
  const [row] = await store.query<{ n: number }>(`SELECT count() AS n FROM ${table} WHERE tenant_id = {tenantId:String}`, { tenantId });
  return Number(row?.n);
}

async function waitFor<T>(what: string, fn: () => Promise<T | undefined | null | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

let server: ClickHouseHttpServer;
let redis: Redis;
const opened: { close(): Promise<void> }[] = [];
const children: ChildProcess[] = [];

/** A store on the shared endpoint with migrated tables and merges stopped, so raw counts show every duplicate. */
async function openStore(database: string): Promise<AnalyticsStore> {
  const store = createHttpStore({ url: server.url, database });
  opened.push(store);
  await migrateAnalytics(store);
  for (const table of TABLES) await store.command(`SYSTEM STOP MERGES ${table}`);
  return store;
}

beforeAll(async () => {
  server = await startClickHouseHttpServer();
  redis = createRedis(inject('redisUrl'));
  await pingRedis(redis);
}, 60_000);

afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const o of opened.reverse()) await o.close().catch(() => undefined);
  redis?.disconnect();
  await server?.stop();
});

interface WorkerChild {
  child: ChildProcess;
  messages: WorkerMessage[];
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  ready: Promise<void>;
  stop(): Promise<void>;
}

function startWorkerProcess(env: Record<string, string>): WorkerChild {
  const child = fork(join(here, 'worker-process.ts'), [], {
    cwd: repoRoot,
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  children.push(child);
  const messages: WorkerMessage[] = [];
  let output = '';
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  child.on('message', (m) => messages.push(m as WorkerMessage));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const ready = new Promise<void>((resolve, reject) => {
    child.on('message', (m) => (m as WorkerMessage).type === 'ready' && resolve());
    void exited.then(({ code, signal }) => reject(new Error(`worker process exited before it was ready (code ${code}, signal ${signal}): ${output}`)));
  });
  ready.catch(() => undefined);
  return {
    child,
    messages,
    output: () => output,
    exited,
    ready,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const result = await exited;
      expect(result, output).toEqual({ code: 0, signal: null });
    },
  };
}

describe('crash mid-write: a worker process is SIGKILLed after its first batch', () => {
  it('a second worker process picks up the stalled job and every row is stored exactly once', async () => {
    const database = 'queue_crash';
    const tenantId = 'crash-tenant';
    const batchRows = 250;
    const store = await openStore(database);
    const prefix = `t-crash-${process.pid}`;
    const queues = new JobQueues(redis, prefix);
    opened.push(queues);

    // Two calls: 1,000 turns, 1,001 stage latencies and 600 events each, i.e. 4 + 5 + 3 batches of 250 rows.
    const payloads = [callPayload(tenantId, 'call-1', { turns: 1_000, stages: 1_001, events: 600 }), callPayload(tenantId, 'call-2', { turns: 1_000, stages: 1_001, events: 600 })];
    const expected = { turns: 0, stage_latency: 0, call_events: 0 };
    for (const p of payloads) for (const [t, n] of Object.entries(rowsIn(p))) expected[t as keyof typeof expected] += n;
    const expectedTotal = Object.values(expected).reduce((a, b) => a + b, 0);
    const jobIds: string[] = [];
    for (const p of payloads) jobIds.push(await queues.enqueue('ingest-call-analytics', p, { idempotencyKey: `${p.tenantId}:${p.callId}` }));

    const common = {
      CC_REDIS_URL: inject('redisUrl'), CC_CLICKHOUSE_URL: server.url, CC_CLICKHOUSE_DATABASE: database, CC_QUEUE_PREFIX: prefix,
      CC_BATCH_ROWS: String(batchRows), CC_LOCK_MS: '1000', CC_STALLED_MS: '250', CC_CONCURRENCY: '1', LOG_LEVEL: 'error',
    };

    // 1. The first worker dies the hard way right after the first batch of the first job.
    const first = startWorkerProcess({ ...common, CC_CRASH_AFTER: 'turns:0' });
    const died = await first.exited;
    expect(died, first.output()).toEqual({ code: null, signal: 'SIGKILL' });
    const crash = first.messages.find((m) => m.type === 'crashing');
    expect(crash).toMatchObject({ table: 'turns', index: 0, rows: batchRows, attemptsMade: 0, stalledCounter: 0 });
    const crashedJob = crash!.type === 'crashing' ? crash!.jobId : '';
    const otherJob = jobIds.find((id) => id !== crashedJob)!;
    expect(jobIds).toContain(crashedJob);
    const killedAt = Date.now();

    // Seen from outside: one batch is in ClickHouse, the job is still "active" under a dead lock, the other untouched.
    expect(await rawCount(store, 'turns', tenantId)).toBe(batchRows);
    expect(await rawCount(store, 'stage_latency', tenantId)).toBe(0);
    expect(await queues.queues.analytics.getJobState(crashedJob)).toBe('active');
    expect(await queues.queues.analytics.getJobState(otherJob)).toBe('waiting');
    expect((await queues.queues.analytics.getJob(crashedJob))?.returnvalue ?? null).toBeNull();

    // 2. A normal worker: its stalled check moves the dead worker's job back to wait once the lock (1 s) expired.
    // Its own lock is long, so a slow (CPU-starved) run can't make it look stalled as well.
    const second = startWorkerProcess({ ...common, CC_LOCK_MS: '15000' });
    await second.ready;
    await waitFor('both jobs to complete', async () => {
      const states = await Promise.all(jobIds.map((id) => queues.queues.analytics.getJobState(id)));
      if (states.includes('failed')) throw new Error(`a job failed: ${states.join(', ')}; ${second.output()}`);
      return states.every((s) => s === 'completed');
    });
    const recoveredMs = Date.now() - killedAt;
    await second.stop();

    const recovered = (await queues.queues.analytics.getJob(crashedJob))!;
    expect(recovered.stalledCounter).toBe(1);
    expect(recovered.attemptsMade).toBe(1); // the run that completed: a stall is not a failed attempt
    expect(recovered.returnvalue).toMatchObject({ turns: { rows: 1_000, batches: 4 }, stages: { rows: 1_001, batches: 5 }, events: { rows: 600, batches: 3 } });
    // The second worker really re-sent the batch that was already stored (and the engine dropped it).
    const resent = second.messages.filter((m) => m.type === 'batch' && m.jobId === crashedJob && m.table === 'turns' && m.index === 0);
    expect(resent).toHaveLength(1);
    expect(resent[0]).toMatchObject({ stalledCounter: 1 });
    const [depth] = await queues.depths();
    expect(depth).toMatchObject({ completed: 2, failed: 0, active: 0, waiting: 0, deadLettered: 0 });

    // 3. Exactly once: plain counts (merges stopped), FINAL counts, distinct keys — then again after OPTIMIZE ... FINAL.
    const counts = {} as Record<(typeof TABLES)[number], TableCounts>;
    for (const t of TABLES) counts[t] = await tableCounts(store, t, tenantId);
    for (const t of TABLES) expect(counts[t], t).toEqual({ raw: expected[t], distinct: expected[t], final: expected[t] });
    for (const t of TABLES) {
      await store.command(`SYSTEM START MERGES ${t}`);
      await store.command(`OPTIMIZE TABLE ${t} FINAL`);
    }
    const optimized = {} as Record<(typeof TABLES)[number], number>;
    for (const t of TABLES) optimized[t] = await rawCount(store, t, tenantId);
    for (const t of TABLES) expect(optimized[t], t).toBe(expected[t]);

    const batches = await Promise.all(jobIds.map(async (id) => {
      const value = (await queues.queues.analytics.getJob(id))!.returnvalue as Record<string, { batches: number }>;
      return Object.values(value).reduce((sum, r) => sum + r.batches, 0);
    }));
    const found = TABLES.reduce((sum, t) => sum + counts[t].raw, 0);
    const duplicates = TABLES.reduce((sum, t) => sum + counts[t].raw - counts[t].distinct, 0);
    console.log(
      `crash-recovery (processes): jobs=${jobIds.length} kills=1 batches=${batches.reduce((a, b) => a + b, 0)} rowsExpected=${expectedTotal} rowsFound=${found} ` +
        `(FINAL ${TABLES.reduce((s, t) => s + counts[t].final, 0)}, after OPTIMIZE ${TABLES.reduce((s, t) => s + optimized[t], 0)}) duplicates=${duplicates} ` +
        `resentBatchesDropped=${resent.length} recoveryMs=${recoveredMs}`,
    );
  }, 60_000);
});

describe('failure mid-write, in process: the processor throws after a batch on the first attempt', () => {
  it('BullMQ retries the job, the re-sent batches are dropped, counts are exact', async () => {
    const tenantId = 'retry-tenant';
    const batchRows = 100;
    const store = await openStore('queue_retry');
    const redisForWorker = createRedis(inject('redisUrl'), { forWorker: true });
    opened.push({ close: async () => void redisForWorker.disconnect() });
    const queues = new JobQueues(redis, `t-retry-${process.pid}`, { attempts: 3, backoff: { type: 'fixed', delay: 50 } });
    opened.push(queues);

    const failures: string[] = [];
    const written: string[] = [];
    const worker = startJobWorker({
      queue: 'analytics',
      connection: redisForWorker,
      queues,
      logger: createLogger({ level: 'silent' }),
      processors: {
        'ingest-call-analytics': ingestCallAnalytics(store, {
          batchRows,
          onBatchWritten: ({ job, table, index }) => {
            written.push(`${job.attemptsMade}:${table}:${index}`);
            // Mid-job: turns are all written, stage latencies half-way.
            if (job.attemptsMade === 0 && table === 'stage_latency' && index === 1) {
              failures.push(job.id!);
              throw new Error('connection reset after batch 1');
            }
          },
        }),
      },
    });
    opened.push({ close: () => worker.close() });

    const payload = callPayload(tenantId, 'call-r', { turns: 300, stages: 350, events: 120 });
    const id = await queues.enqueue('ingest-call-analytics', payload, { idempotencyKey: 'retry-call-r' });
    await waitFor('the job to complete', async () => {
      const state = await queues.queues.analytics.getJobState(id);
      if (state === 'failed') throw new Error('job failed');
      return state === 'completed';
    });

    expect(failures).toEqual([id]);
    const job = (await queues.queues.analytics.getJob(id))!;
    expect(job.attemptsMade).toBe(2); // one failed attempt + the one that completed
    // Attempt 2 re-sent turns 0..2 and stage_latency 0..1, which attempt 1 had already stored.
    expect(written.filter((w) => w.startsWith('0:'))).toEqual(['0:turns:0', '0:turns:1', '0:turns:2', '0:stage_latency:0', '0:stage_latency:1']);
    expect(written.filter((w) => w.startsWith('1:'))).toHaveLength(3 + 4 + 2);

    const expected = rowsIn(payload);
    for (const t of TABLES) expect(await tableCounts(store, t, tenantId), t).toEqual({ raw: expected[t], distinct: expected[t], final: expected[t] });
    expect((await queues.depths())[0]).toMatchObject({ completed: 1, failed: 0, deadLettered: 0 });

    // Control: the raw counts above would see duplicates. The same job re-sent is dropped by its tokens;
    // the same rows under another job id (other tokens) are stored again (merges are stopped), and only
    // FINAL collapses them.
    const control = callPayload('control-tenant', 'call-c', { turns: 300, stages: 0, events: 0 }).turns;
    await ingestRows(store, 'turns', control, { jobId: 'control', batchRows: 100 });
    await ingestRows(store, 'turns', control, { jobId: 'control', batchRows: 100 });
    expect(await tableCounts(store, 'turns', 'control-tenant')).toEqual({ raw: 300, distinct: 300, final: 300 });
    await ingestRows(store, 'turns', control, { jobId: 'control-again', batchRows: 100 });
    expect(await tableCounts(store, 'turns', 'control-tenant')).toEqual({ raw: 600, distinct: 300, final: 300 });
    console.log(`crash-recovery (in process): jobs=1 failures=1 rowsExpected=${payload.turns.length + payload.stageLatency.length + payload.events.length} rowsFound=${(await Promise.all(TABLES.map((t) => rawCount(store, t, tenantId)))).reduce((a, b) => a + b, 0)} duplicates=0`);
  }, 30_000);
});
