#!/usr/bin/env tsx
/**
 * Offline eval runs (docs/evals.md):
 *
 *   pnpm evals run --dataset sgd-test --limit 50 --agent-version latest
 *
 * Opens the stores in this process (embedded PGlite / chDB / a local redis-server under DATA_DIR,
 * unless DATABASE_URL / CLICKHOUSE_URL / REDIS_URL are set), seeds the demo tenant if it is missing,
 * enqueues one replay per call, runs the evaluation workers in-process, shows progress with an ETA on
 * stderr, writes a Markdown report under reports/, and prints one JSON line of headline figures last.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createLogger, errorMessage, loadConfig } from '@cc/core';
import { getTenantBySlug } from '@cc/store/postgres';
import { openStores } from '@cc/platform/stores';
import { seedDemoTenant } from '@cc/platform/seed-demo';
import { runEval } from './run/run-eval.ts';
import { renderMarkdown } from './run/report.ts';

const USAGE = `usage: pnpm evals run --dataset <sgd-test|sgd-dev|sgd-train> [--limit N] [--agent-version <id|latest>]
                      [--tenant <slug>] [--concurrency N] [--out <dir>] [--run-id <id>] [--baseline <run id>]`;

function progressBar(done: number, total: number, elapsedMs: number): string {
  const width = 30;
  const filled = total ? Math.round((done / total) * width) : width;
  const eta = done > 0 && done < total ? ` ETA ${Math.ceil(((elapsedMs / done) * (total - done)) / 1000)}s` : '';
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${total} calls ${total ? Math.floor((done / total) * 100) : 100}% ${(elapsedMs / 1000).toFixed(1)}s${eta}`;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command !== 'run') {
    process.stderr.write(`${USAGE}\n`);
    return command === undefined || command === '--help' ? 0 : 2;
  }
  const { values } = parseArgs({
    args: rest,
    options: {
      dataset: { type: 'string', default: 'sgd-test' },
      limit: { type: 'string', default: '50' },
      'agent-version': { type: 'string', default: 'latest' },
      tenant: { type: 'string', default: 'demo' },
      concurrency: { type: 'string' },
      out: { type: 'string', default: 'reports' },
      'run-id': { type: 'string' },
      baseline: { type: 'string' },
    },
  });
  const limit = Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1) throw new Error(`--limit must be a positive integer, got ${values.limit}`);
  const config = loadConfig(process.env);
  const logger = createLogger({ level: process.env.LOG_LEVEL ?? 'warn' });
  const stores = await openStores(config, logger);
  try {
    if (values.tenant === 'demo') await seedDemoTenant(stores.db, config.DATA_DIR, logger);
    const tenant = await getTenantBySlug(stores.db.db, values.tenant!);
    if (!tenant) throw new Error(`no tenant with slug ${values.tenant}`);
    const isTty = process.stderr.isTTY;
    const { report, runId } = await runEval({
      stores,
      logger,
      config,
      tenantId: tenant.id,
      dataset: values.dataset!,
      limit,
      agentVersion: values['agent-version']!,
      concurrency: values.concurrency ? Number(values.concurrency) : config.WORKER_CONCURRENCY,
      ...(values['run-id'] ? { runId: values['run-id'] } : {}),
      ...(values.baseline ? { baselineRunId: values.baseline } : {}),
      onProgress: ({ done, total, elapsedMs }) => process.stderr.write(isTty ? `\r${progressBar(done, total, elapsedMs)}` : `${progressBar(done, total, elapsedMs)}\n`),
    });
    if (isTty) process.stderr.write('\n');
    const dir = resolve(values.out!);
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `${runId}.md`);
    writeFileSync(file, renderMarkdown(report));
    process.stderr.write(`report: ${file}\n`);
    process.stdout.write(`${JSON.stringify({ ...report.headline, report: file })}\n`);
    return 0;
  } finally {
    await stores.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`evals: ${errorMessage(err)}\n`);
    process.exit(1);
  },
);
