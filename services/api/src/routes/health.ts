import { Hono } from 'hono';
import { errorMessage } from '@cc/core';
import { pingRedis } from '@cc/queue';
import type { ApiDeps, ApiEnv } from '../deps.ts';

interface Check {
  ok: boolean;
  driver: string;
  ms: number;
  error?: string;
}

async function timed(driver: string, probe: () => Promise<unknown>, timeoutMs = 3_000): Promise<Check> {
  const start = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([probe(), new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs)))]);
    return { ok: true, driver, ms: Math.round(performance.now() - start) };
  } catch (err) {
    return { ok: false, driver, ms: Math.round(performance.now() - start), error: errorMessage(err) };
  } finally {
    clearTimeout(timer);
  }
}

/** Liveness says the process runs; readiness says each store answers, with its driver and latency. */
export function healthRoutes(deps: ApiDeps) {
  const app = new Hono<ApiEnv>();
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', async (c) => {
    const [postgres, clickhouse, redis] = await Promise.all([
      timed(deps.db.driver, () => deps.db.ping()),
      timed(deps.analytics.kind, () => deps.analytics.ping()),
      timed(deps.config.REDIS_URL ? 'redis' : 'local-redis', () => pingRedis(deps.redis)),
    ]);
    const ready = postgres.ok && clickhouse.ok && redis.ok;
    return c.json({ status: ready ? 'ready' : 'not_ready', checks: { postgres, clickhouse, redis } }, ready ? 200 : 503);
  });
  return app;
}
