import { Hono } from 'hono';
import { getConnInfo } from '@hono/node-server/conninfo';
import { timingSafeEqual } from 'node:crypto';
import { ForbiddenError, metricsRegistry, queueDepth } from '@cc/core';
import type { ApiDeps, ApiEnv } from '../deps.ts';

const LOOPBACK = /^(127\.|::1$|::ffff:127\.)/;

function tokenMatches(header: string | undefined, token: string): boolean {
  const given = Buffer.from(/^Bearer\s+(\S+)$/i.exec(header ?? '')?.[1] ?? '');
  const want = Buffer.from(token);
  return given.length === want.length && timingSafeEqual(given, want);
}

/**
 * Prometheus exposition of process-wide figures (jobs, rows written to ClickHouse, failures, HTTP
 * requests, queue depths). They span every tenant, so this is an operator endpoint outside tenant
 * roles: METRICS_TOKEN as a Bearer token, or, without one, scrapes from loopback only.
 */
export function metricsRoutes(deps: ApiDeps) {
  const app = new Hono<ApiEnv>();
  app.get('/metrics', async (c) => {
    const token = deps.config.METRICS_TOKEN;
    const allowed = token ? tokenMatches(c.req.header('authorization'), token) : LOOPBACK.test(safeRemoteAddress(c) ?? '');
    if (!allowed) throw new ForbiddenError(token ? 'GET /metrics needs the METRICS_TOKEN as a Bearer token' : 'GET /metrics answers loopback scrapes only; set METRICS_TOKEN to scrape remotely');
    for (const d of await deps.queues.depths()) {
      for (const state of ['waiting', 'active', 'delayed', 'failed', 'completed', 'prioritized', 'deadLettered'] as const) {
        queueDepth.set({ queue: d.name, state }, d[state]);
      }
    }
    return c.body(await metricsRegistry.metrics(), 200, { 'content-type': metricsRegistry.contentType });
  });
  return app;
}

function safeRemoteAddress(c: Parameters<typeof getConnInfo>[0]): string | undefined {
  try {
    return getConnInfo(c).remote.address;
  } catch {
    // In-process requests (app.request in tests) have no socket: not loopback.
    return undefined;
  }
}
