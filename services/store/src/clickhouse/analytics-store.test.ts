import { appendFileSync, cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MigrationError, StoreUnavailableError, ValidationError, analyticsTables, type TurnRow } from '@cc/core';
import { startClickHouseHttpServer, type ClickHouseHttpServer } from '../../../../test/support/clickhouse-http-server.ts';
import type { AnalyticsStore } from './analytics-store.ts';
import { openChdbStore } from './chdb-store.ts';
import { createAnalyticsStore } from './create-store.ts';
import { createHttpStore } from './http-store.ts';
import { ingestRows } from './ingest.ts';
import { defaultClickHouseMigrationsDir, migrateAnalytics, readMigrationFiles } from './migrations.ts';
import { containmentPerDay, countRows, intentAccuracyPerIntent, stageLatencyP95 } from './queries.ts';
import * as dataset from './dashboard-dataset.fixture.ts';

/** One suite, two drivers: embedded chDB in this process, and @clickhouse/client against the chDB-backed HTTP endpoint. */
interface Driver {
  name: string;
  setup(): Promise<void>;
  open(database: string): Promise<AnalyticsStore>;
  /** A store whose engine cannot be reached. */
  unreachable(): Promise<AnalyticsStore>;
  teardown(): Promise<void>;
}

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function chdbDriver(): Driver {
  // Everything in this process shares one chDB data directory (libchdb binds one per process).
  const dataDir = mkdtempSync(join(tmpdir(), 'cc-chdb-store-'));
  return {
    name: 'chdb',
    setup: async () => {},
    open: (database) => createAnalyticsStore({ DATA_DIR: dataDir, CLICKHOUSE_DATABASE: database }),
    unreachable: async () => {
      const store = await openChdbStore({ path: join(dataDir, 'chdb'), database: 'closed' });
      await store.close();
      return store;
    },
    teardown: async () => rmSync(dataDir, { recursive: true, force: true }),
  };
}

function httpDriver(): Driver {
  let server: ClickHouseHttpServer | undefined;
  return {
    name: 'clickhouse-http',
    setup: async () => {
      server = await startClickHouseHttpServer();
    },
    open: async (database) => createAnalyticsStore({ CLICKHOUSE_URL: server!.url, DATA_DIR: '/nonexistent', CLICKHOUSE_DATABASE: database }),
    unreachable: async () => createHttpStore({ url: `http://127.0.0.1:${await closedPort()}`, database: 'cc', requestTimeoutMs: 2_000 }),
    teardown: async () => server?.stop(),
  };
}

const turn = (overrides: Partial<TurnRow> = {}): TurnRow => ({
  tenant_id: 'acme', call_id: 'call-1', turn_index: 0, agent_version: '1.0.0', speaker: 'caller', text_redacted: 'hello',
  intent: 'billing', confidence: 0.9, started_at: new Date('2026-10-01T10:00:00.123Z'), ended_at: new Date('2026-10-01T10:00:02.5Z'), ...overrides,
});
const turns = (n: number, tenant = 'acme') => Array.from({ length: n }, (_, i) => turn({ tenant_id: tenant, turn_index: i }));
/** Raw counts must not be collapsed by a background merge halfway through a test. */
const stopMerges = (store: AnalyticsStore) => store.command('SYSTEM STOP MERGES turns');
const rawCount = async (store: AnalyticsStore, table: string) => Number((await store.query<{ n: number }>(`SELECT count() AS n FROM ${table}`))[0]?.n);

function copyMigrations(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cc-ch-migrations-'));
  cpSync(defaultClickHouseMigrationsDir(), dir, { recursive: true });
  return dir;
}

describe.each([chdbDriver(), httpDriver()])('analytics store on $name', (driver) => {
  const stores: AnalyticsStore[] = [];
  const tempDirs: string[] = [];
  let databases = 0;
  /** A store on a new, empty database. */
  const freshStore = async (migrated = true) => {
    const store = await driver.open(`test_${driver.name.replace(/\W/g, '_')}_${++databases}`);
    stores.push(store);
    if (migrated) await migrateAnalytics(store);
    return store;
  };
  const tempMigrations = () => {
    const dir = copyMigrations();
    tempDirs.push(dir);
    return dir;
  };

  beforeAll(() => driver.setup());
  afterAll(async () => {
    for (const store of stores) await store.close();
    for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
    await driver.teardown();
  });

  const projectMigrations = readMigrationFiles(defaultClickHouseMigrationsDir()).map((m) => m.name);

  it('applies migrations once, with columns matching the zod row schemas', async () => {
    const store = await freshStore(false);
    expect(await migrateAnalytics(store)).toEqual({ applied: projectMigrations, alreadyApplied: [] });
    expect(await migrateAnalytics(store)).toEqual({ applied: [], alreadyApplied: projectMigrations });
    const columns = await store.query<{ table: string; name: string }>('SELECT table, name FROM system.columns WHERE database = {db:String} ORDER BY table, position', { db: store.database });
    for (const [table, schema] of Object.entries(analyticsTables)) {
      expect(columns.filter((c) => c.table === table).map((c) => c.name)).toEqual([...Object.keys(schema.shape), 'ingested_at']);
    }
  });

  it('refuses to run when an applied migration file has changed', async () => {
    const store = await freshStore(false);
    const dir = tempMigrations();
    await migrateAnalytics(store, { dir });
    appendFileSync(join(dir, '0001_init.sql'), '\n-- edited after release\n');
    const failure = migrateAnalytics(store, { dir });
    await expect(failure).rejects.toBeInstanceOf(MigrationError);
    await expect(failure).rejects.toThrow(/0001_init\.sql was changed after it was applied/);
  });

  it('records a half-applied migration only after it succeeds, and re-runs it safely', async () => {
    const store = await freshStore(false);
    const dir = tempMigrations();
    const file = join(dir, '0099_extra.sql');
    writeFileSync(file, 'CREATE TABLE IF NOT EXISTS extra (a UInt8) ENGINE = MergeTree ORDER BY a;\nALTER TABLE no_such_table ADD COLUMN b UInt8;\n');
    const failure = migrateAnalytics(store, { dir });
    await expect(failure).rejects.toBeInstanceOf(MigrationError);
    await expect(failure).rejects.toThrow(/0099_extra\.sql failed at statement 2 of 2 \(ALTER TABLE no_such_table/);
    expect((await store.query<{ name: string }>('SELECT name FROM schema_migrations FINAL ORDER BY name')).map((r) => r.name)).toEqual(projectMigrations);

    writeFileSync(file, 'CREATE TABLE IF NOT EXISTS extra (a UInt8) ENGINE = MergeTree ORDER BY a;\nALTER TABLE extra ADD COLUMN IF NOT EXISTS b UInt8;\n');
    expect(await migrateAnalytics(store, { dir })).toEqual({ applied: ['0099_extra.sql'], alreadyApplied: projectMigrations });
    expect(await store.query('SELECT name FROM system.columns WHERE database = {db:String} AND table = {t:String} ORDER BY position', { db: store.database, t: 'extra' })).toEqual([{ name: 'a' }, { name: 'b' }]);
  });

  it('round-trips rows with bound parameters, so quotes and SQL in values stay data', async () => {
    const store = await freshStore();
    const hostile = `it's "quoted" \\ back'slash'); DROP TABLE turns; --\n\ttab`;
    await store.insert('turns', [turn({ tenant_id: hostile, text_redacted: hostile }), turn({ tenant_id: 'other' })]);
    const rows = await store.query('SELECT * EXCEPT ingested_at FROM turns WHERE tenant_id = {tenant:String} AND started_at >= {from:DateTime64(3, \'UTC\')}', {
      tenant: hostile,
      from: new Date('2026-10-01T10:00:00.123Z'),
    });
    expect(rows).toEqual([
      { ...turn({ tenant_id: hostile, text_redacted: hostile }), started_at: '2026-10-01T10:00:00.123Z', ended_at: '2026-10-01T10:00:02.500Z' },
    ]);
    const inList = await store.query<{ tenant_id: string }>('SELECT tenant_id FROM turns WHERE tenant_id IN {tenants:Array(String)} ORDER BY tenant_id', { tenants: [hostile, 'other'] });
    expect(inList.map((r) => r.tenant_id)).toEqual([hostile, 'other'].sort());
    expect(await countRows(store, 'turns', 'other')).toBe(1);
  });

  it('rejects a batch with a bad row as a ValidationError naming the row and field, inserting nothing', async () => {
    const store = await freshStore();
    const bad = { ...turn({ turn_index: 1 }), confidence: 1.5 };
    const failure = store.insert('turns', [turn(), bad]);
    await expect(failure).rejects.toBeInstanceOf(ValidationError);
    await expect(failure).rejects.toMatchObject({ issues: [expect.objectContaining({ path: '1.confidence' })] });
    await expect(ingestRows(store, 'turns', [...turns(3), bad], { jobId: 'job', batchRows: 2 })).rejects.toThrow(/3\.confidence/);
    expect(await rawCount(store, 'turns')).toBe(0);
  });

  it('drops a batch re-inserted with the same dedup token; FINAL collapses rows sent under another token', async () => {
    const store = await freshStore();
    await stopMerges(store);
    await store.insert('turns', turns(5), { dedupToken: 'job-1:turns:0' });
    await store.insert('turns', turns(5), { dedupToken: 'job-1:turns:0' });
    expect(await rawCount(store, 'turns')).toBe(5);
    await store.insert('turns', turns(5), { dedupToken: 'job-2:turns:0' });
    expect(await rawCount(store, 'turns')).toBe(10);
    expect(await countRows(store, 'turns', 'acme')).toBe(5);
  });

  it('writes each row once when a job crashed mid-write and is retried', async () => {
    const store = await freshStore();
    await stopMerges(store);
    const rows = turns(10);
    const crashAfterBatch1 = ({ index }: { index: number }) => {
      if (index === 1) throw new Error('worker crashed');
    };
    await expect(ingestRows(store, 'turns', rows, { jobId: 'job-42', batchRows: 3, onBatchWritten: crashAfterBatch1 })).rejects.toThrow('worker crashed');
    expect(await rawCount(store, 'turns')).toBe(6);
    expect(await ingestRows(store, 'turns', rows, { jobId: 'job-42', batchRows: 3 })).toEqual({ table: 'turns', rows: 10, batches: 4 });
    expect(await rawCount(store, 'turns')).toBe(10);
    expect(await countRows(store, 'turns', 'acme')).toBe(10);
  });

  it('loses no row when the retry batches differently from the crashed attempt', async () => {
    const store = await freshStore();
    await stopMerges(store);
    const rows = turns(10);
    const crashAfterBatch0 = ({ index }: { index: number }) => {
      if (index === 0) throw new Error('worker crashed');
    };
    await expect(ingestRows(store, 'turns', rows, { jobId: 'job-43', batchRows: 3, onBatchWritten: crashAfterBatch0 })).rejects.toThrow('worker crashed');
    await ingestRows(store, 'turns', rows, { jobId: 'job-43', batchRows: 5 });
    // Rows 0-2 were sent twice under different tokens: ReplacingMergeTree collapses them on read.
    expect(await rawCount(store, 'turns')).toBe(13);
    expect(await countRows(store, 'turns', 'acme')).toBe(10);
  });

  it('stores turn text, score details and event payloads redacted, whatever the producer sent', async () => {
    const store = await freshStore();
    const card = '4111 1111 1111 1111';
    await ingestRows(store, 'turns', [turn({ text_redacted: `my card is ${card} and email jo@example.com` })], { jobId: 'pii-1' });
    await ingestRows(store, 'call_events', [{ tenant_id: 'acme', call_id: 'c', seq: 0, agent_version: 'v', event_type: 'note', at: new Date(), payload: JSON.stringify({ said: `card ${card}`, phone: '+1 415 555 0100' }) }], { jobId: 'pii-2' });
    const stored = JSON.stringify([...(await store.query('SELECT text_redacted FROM turns')), ...(await store.query('SELECT payload FROM call_events'))]);
    expect(stored).not.toContain('4111');
    expect(stored).not.toContain('jo@example.com');
    expect(stored).not.toContain('555 0100');
    expect(stored).toContain('[CARD]');
  });

  it('answers the dashboard queries on a hand-checked dataset, counting twice-written rows once', async () => {
    const store = await freshStore();
    for (const jobId of ['first-run', 'second-run']) {
      await ingestRows(store, 'call_events', dataset.callEvents, { jobId, batchRows: 4 });
      await ingestRows(store, 'scores', dataset.scores, { jobId });
      await ingestRows(store, 'stage_latency', dataset.stageLatency, { jobId });
    }
    expect(await containmentPerDay(store, dataset.range)).toEqual(dataset.expectedContainment);
    expect(await containmentPerDay(store, { ...dataset.range, agentVersion: '2.0.0' })).toEqual(dataset.expectedContainmentV2);
    expect(await intentAccuracyPerIntent(store, dataset.range)).toEqual(dataset.expectedIntentAccuracy);
    const latency = await stageLatencyP95(store, dataset.range);
    expect(latency.map((r) => [r.stage, r.samples])).toEqual(dataset.expectedStageLatency.map((r) => [r.stage, r.samples]));
    latency.forEach((row, i) => {
      expect(row.p50Ms).toBeCloseTo(dataset.expectedStageLatency[i]!.p50Ms, 6);
      expect(row.p95Ms).toBeCloseTo(dataset.expectedStageLatency[i]!.p95Ms, 6);
    });
    expect(await countRows(store, 'call_events', 'acme')).toBe(dataset.callEvents.filter((e) => e.tenant_id === 'acme').length);
  });

  it('reports an engine it cannot reach as StoreUnavailableError', async () => {
    const store = await driver.unreachable();
    await expect(store.ping()).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(store.query('SELECT 1')).rejects.toBeInstanceOf(StoreUnavailableError);
    await store.close();
  });
});
