import { metricsRegistry, queueDepth } from '@cc/core';
import { MANAGERS, type Routes } from '../route-table.ts';
import type { ApiDeps } from '../deps.ts';

/** Prometheus exposition: jobs, rows written to ClickHouse, failures, HTTP requests, queue depths. */
export function metricsRoutes(deps: ApiDeps, routes: Routes) {
  routes.add({ method: 'GET', path: '/metrics', roles: MANAGERS, summary: 'Prometheus metrics (scrape with an API key)' }, async (c) => {
    for (const d of await deps.queues.depths()) {
      for (const state of ['waiting', 'active', 'delayed', 'failed', 'completed', 'prioritized', 'deadLettered'] as const) {
        queueDepth.set({ queue: d.name, state }, d[state]);
      }
    }
    return c.body(await metricsRegistry.metrics(), 200, { 'content-type': metricsRegistry.contentType });
  });
}
