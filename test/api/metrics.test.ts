import { afterAll, describe, expect, inject, it } from 'vitest';
import { createLogger, loadConfig } from '@cc/core';
import { JobQueues, createRedis } from '@cc/queue';
import { metricsRoutes } from '../../services/api/src/routes/metrics.ts';
import { toProblemResponse } from '../../services/api/src/problem.ts';
import type { ApiDeps } from '@cc/api';

const redis = createRedis(inject('redisUrl'));
const queues = new JobQueues(redis, `t-metrics-${process.pid}`);
afterAll(async () => {
  await queues.close();
  redis.disconnect();
});

function app(env: Record<string, string>) {
  const routes = metricsRoutes({ config: loadConfig(env), queues } as unknown as ApiDeps);
  routes.onError((err, c) => toProblemResponse(c, err, createLogger({ level: 'silent' })));
  return routes;
}

describe('GET /metrics', () => {
  it('is refused to callers that are not on loopback when no METRICS_TOKEN is set', async () => {
    const res = await app({}).request('/metrics');
    expect(res.status).toBe(403);
    expect(await res.text()).toMatch(/loopback/);
  });

  it('with METRICS_TOKEN, answers the right Bearer token only, in Prometheus format', async () => {
    const token = 'a-metrics-token-0123456789';
    expect((await app({ METRICS_TOKEN: token }).request('/metrics', { headers: { authorization: 'Bearer wrong-token-0123456789ab' } })).status).toBe(403);
    const res = await app({ METRICS_TOKEN: token }).request('/metrics', { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/plain/);
    const body = await res.text();
    expect(body).toContain('# TYPE cc_jobs_total counter');
    expect(body).toMatch(/cc_queue_jobs\{queue="analytics",state="waiting"\} 0/);
  });
});
