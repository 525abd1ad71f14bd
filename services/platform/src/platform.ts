import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Worker } from 'bullmq';
import { errorMessage, type Config, type Logger } from '@cc/core';
import { createApiApp, startHttpServer, type RunningServer } from '@cc/api';
import { startJobWorker, ingestCallAnalytics } from '@cc/worker';
import { checkRollouts, checkRolloutsJobContract } from '@cc/rollouts';
import { openStores, type Stores } from './stores.ts';
import { resolveSecretKey } from './secret-key.ts';
import { seedDemoTenant, type DemoCredentials } from './seed-demo.ts';
import { startWebConsole, type RunningConsole } from './web-console.ts';
import { startVoiceRuntime } from './voice-runtime.ts';

export interface RunningPlatform {
  urls: { api: string; voice: string; console: string | null };
  stores: Stores;
  demo: DemoCredentials | null;
  /** Graceful: stop taking work, drain in-flight requests and jobs, then close the stores. */
  stop(): Promise<void>;
}

export interface PlatformOptions {
  /** The console needs its production build; tests of the API alone can leave it out. */
  console?: boolean;
}

/** API, worker, voice runtime and console in one process, which owns the embedded stores. */
export async function startPlatform(config: Config, logger: Logger, opts: PlatformOptions = {}): Promise<RunningPlatform> {
  mkdirSync(resolve(config.DATA_DIR), { recursive: true });
  const secretKey = resolveSecretKey(config.SECRET_KEY, config.DATA_DIR);
  const stores = await openStores(config, logger);
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch((err) => logger.error({ err: errorMessage(err) }, 'shutdown step failed'));
    await stores.close();
  };
  try {
    const demo = config.SEED_DEMO ? await seedDemoTenant(stores.db, config.DATA_DIR, logger) : null;

    const workers: Worker[] = [
      startJobWorker({
        queue: 'analytics',
        connection: stores.workerRedis,
        queues: stores.queues,
        processors: { 'ingest-call-analytics': ingestCallAnalytics(stores.analytics) },
        logger,
        concurrency: config.WORKER_CONCURRENCY,
      }),
      startJobWorker({
        queue: 'rollouts',
        connection: stores.workerRedis,
        queues: stores.queues,
        processors: { 'check-rollouts': (payload) => checkRollouts({ db: stores.db.db, analytics: stores.analytics, redis: stores.redis, logger }, payload) },
        logger,
        concurrency: 1,
      }),
    ];
    // One schedule however many processes register it: guardrails are checked every minute.
    await stores.queues.queues.rollouts.upsertJobScheduler(checkRolloutsJobContract.jobId, checkRolloutsJobContract.repeat, {
      name: 'check-rollouts',
      data: {},
      opts: { attempts: checkRolloutsJobContract.attempts },
    });
    // Worker.close() waits for active jobs to finish.
    stops.push(async () => void (await Promise.all(workers.map((w) => w.close()))));

    const voice = await startVoiceRuntime(config, logger, stores, secretKey);
    stops.push(() => voice.close());

    const api = createApiApp({ ...stores, config, logger, secretKey, voice: { url: voice.url, issueCallToken: voice.issueCallToken } });
    const apiServer: RunningServer = await startHttpServer(api.app.fetch, { host: config.HOST, port: config.API_PORT });
    stops.push(() => apiServer.close(config.SHUTDOWN_TIMEOUT_MS));

    let consoleServer: RunningConsole | null = null;
    if (opts.console !== false) {
      consoleServer = await startWebConsole({ apiUrl: apiServer.url, host: config.HOST, port: config.WEB_PORT });
      stops.push(() => consoleServer!.close());
    }
    return { urls: { api: apiServer.url, voice: voice.url, console: consoleServer?.url ?? null }, stores, demo, stop: stopAll };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
