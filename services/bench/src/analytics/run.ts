import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@cc/core';
import {
  containmentPerDay,
  createAnalyticsStore,
  ingestRows,
  intentAccuracyPerIntent,
  migrateAnalytics,
  stageLatencyP95,
  type AnalyticsStore,
} from '@cc/store/clickhouse';
import { createDatabase, queryRows, type DatabaseHandle } from '@cc/store/postgres';
import { sql } from 'drizzle-orm';
import { intFlags, median, timeMs } from '../args.ts';
import { syntheticCalls } from './synthetic.ts';
import { createMirror, indexMirror, insertMirror, postgresQueries } from './postgres-mirror.ts';

const TENANTS = 4;
const DAYS = 30;
const RUNS = 5;

/**
 * `pnpm bench analytics [--turns N]`: the same synthetic rows into ClickHouse and Postgres, then the
 * dashboard queries on both. Embedded engines (chDB, PGlite) in a temp dir unless CLICKHOUSE_URL /
 * DATABASE_URL point at servers.
 */
export async function benchAnalytics(argv: string[], log: (line: string) => void) {
  const flags = intFlags(argv, { turns: 1_000_000, batch: 50_000 });
  const config = loadConfig();
  const dir = mkdtempSync(join(tmpdir(), 'cc-bench-'));
  let analytics: AnalyticsStore | undefined;
  let pg: DatabaseHandle | undefined;
  try {
    analytics = await createAnalyticsStore({ ...config, DATA_DIR: dir, CLICKHOUSE_DATABASE: 'cc_bench' });
    await analytics.command('DROP DATABASE IF EXISTS cc_bench SYNC').catch(() => undefined);
    await analytics.command('CREATE DATABASE IF NOT EXISTS cc_bench');
    await migrateAnalytics(analytics);
    pg = await createDatabase({ ...config, DATA_DIR: dir });
    await createMirror(pg.db);
    log(`seeding ${flags.turns} turns into ClickHouse (${analytics.kind}) and Postgres (${pg.driver})`);

    let chRows = 0, chMs = 0, pgRows = 0, pgMs = 0, batchNo = 0;
    for (const batch of syntheticCalls({ totalTurns: flags.turns, tenants: TENANTS, days: DAYS, seed: 42, batchTurns: flags.batch })) {
      const jobId = `bench-${batchNo++}`;
      chMs += await timeMs(async () => {
        for (const r of [
          await ingestRows(analytics!, 'turns', batch.turns, { jobId }),
          await ingestRows(analytics!, 'stage_latency', batch.stageLatency, { jobId }),
          await ingestRows(analytics!, 'call_events', batch.events, { jobId }),
          await ingestRows(analytics!, 'scores', batch.scores, { jobId }),
        ]) chRows += r.rows;
      });
      pgMs += await timeMs(async () => (pgRows += await insertMirror(pg!.db, batch)));
      log(`  ${chRows.toLocaleString()} rows`);
    }
    pgMs += await timeMs(() => indexMirror(pg!.db));
    await analytics.command('OPTIMIZE TABLE turns FINAL').catch(() => undefined);

    const range = { tenantId: 'tenant-0', from: new Date(Date.UTC(2026, 9, 1)), to: new Date(Date.UTC(2026, 9, 1 + DAYS + 1)) };
    const pgSql = postgresQueries();
    const queries: [string, () => Promise<unknown[]>, string][] = [
      ['containment_per_day', () => containmentPerDay(analytics!, range), pgSql.containment_per_day!],
      ['intent_accuracy_per_intent', () => intentAccuracyPerIntent(analytics!, range), pgSql.intent_accuracy_per_intent!],
      ['stage_latency_p95', () => stageLatencyP95(analytics!, range), pgSql.stage_latency_p95!],
    ];
    const results: Record<string, { clickhouse_ms: number; postgres_ms: number }> = {};
    for (const [name, chQuery, pgQuery] of queries) {
      const pgBound = () => queryRows(pg!.db, bindPositional(pgQuery, [range.tenantId, range.from.toISOString(), range.to.toISOString()]));
      const [chRowsOut, pgRowsOut] = [await chQuery(), await pgBound()];
      if (chRowsOut.length !== pgRowsOut.length) throw new Error(`${name}: ClickHouse returned ${chRowsOut.length} groups, Postgres ${pgRowsOut.length}`);
      const ch: number[] = [], p: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        ch.push(await timeMs(chQuery));
        p.push(await timeMs(pgBound));
      }
      results[name] = { clickhouse_ms: round(median(ch)), postgres_ms: round(median(p)) };
      log(`  ${name}: ClickHouse ${results[name]!.clickhouse_ms} ms, Postgres ${results[name]!.postgres_ms} ms (median of ${RUNS})`);
    }
    const speedups = Object.values(results).map((r) => r.postgres_ms / Math.max(r.clickhouse_ms, 0.001));
    return {
      bench: 'analytics',
      rows: chRows,
      turns: flags.turns,
      ingest_rows_per_s: Math.round(chRows / (chMs / 1000)),
      postgres_ingest_rows_per_s: Math.round(pgRows / (pgMs / 1000)),
      engines: { clickhouse: analytics.kind, postgres: pg.driver },
      queries: results,
      speedup_min: round(Math.min(...speedups)),
    };
  } finally {
    await analytics?.close();
    await pg?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const round = (n: number) => Math.round(n * 100) / 100;

/** `$1..$n` placeholders bound as parameters through drizzle's sql template. */
function bindPositional(query: string, params: unknown[]) {
  const parts = query.split(/\$(\d+)/);
  let out = sql.raw(parts[0]!);
  for (let i = 1; i < parts.length; i += 2) out = sql`${out}${params[Number(parts[i]) - 1]}${sql.raw(parts[i + 1]!)}`;
  return out;
}
