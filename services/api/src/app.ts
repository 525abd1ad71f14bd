import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { secureHeaders } from 'hono/secure-headers';
import { routePath } from 'hono/route';
import { randomUUID } from 'node:crypto';
import { httpRequests } from '@cc/core';
import { authenticate } from './auth/authenticate.ts';
import { problem, toProblemResponse } from './problem.ts';
import { Routes } from './route-table.ts';
import { healthRoutes } from './routes/health.ts';
import { publicAuthRoutes, sessionRoutes } from './routes/auth.ts';
import { kbRoutes } from './routes/kb.ts';
import { kbAuditRoutes } from './routes/kb-audit.ts';
import { agentVersionRoutes } from './routes/agent-versions.ts';
import { callRoutes } from './routes/calls.ts';
import { auditRoutes } from './routes/audit-log.ts';
import { apiKeyRoutes } from './routes/api-keys.ts';
import { queueRoutes } from './routes/queues.ts';
import { voiceRoutes } from './routes/voice.ts';
import { metricsRoutes } from './routes/metrics.ts';
import { rolloutRoutes } from './routes/rollouts.ts';
import { dashboardRoutes } from './routes/dashboard.ts';
import type { ApiDeps, ApiEnv } from './deps.ts';

const MAX_BODY_BYTES = 2 * 1024 * 1024;

export interface ApiApp {
  app: Hono<ApiEnv>;
  /** Every authenticated route with its roles, for the authorization matrix. */
  routes: Routes['specs'];
}

export function createApiApp(deps: ApiDeps): ApiApp {
  const app = new Hono<ApiEnv>();
  const log = deps.logger.child({ component: 'api' });

  app.use('*', async (c, next) => {
    const requestId = c.req.header('x-request-id')?.slice(0, 100) || randomUUID();
    c.set('requestId', requestId);
    c.header('x-request-id', requestId);
    const start = performance.now();
    await next();
    // The matched route pattern, not the raw path, keeps the metric's label set small.
    const route = routePath(c, -1);
    httpRequests.inc({ method: c.req.method, route: route === '*' || route.endsWith('/*') ? 'unmatched' : route, status: c.res.status });
    log.info({ requestId, method: c.req.method, path: c.req.path, status: c.res.status, ms: Math.round(performance.now() - start) }, 'request');
  });
  app.use('*', secureHeaders());
  app.use('*', bodyLimit({ maxSize: MAX_BODY_BYTES, onError: (c) => problem(c, 413, 'body_too_large', `Request body exceeds ${MAX_BODY_BYTES} bytes`) }));
  app.onError((err, c) => toProblemResponse(c, err, log));
  app.notFound((c) => problem(c, 404, 'route_not_found', `No route for ${c.req.method} ${c.req.path}`));

  app.route('/', healthRoutes(deps));
  app.route('/', publicAuthRoutes(deps));
  app.route('/', metricsRoutes(deps));

  const v1 = new Hono<ApiEnv>();
  v1.use('/v1/*', authenticate(deps));
  const routes = new Routes(v1);
  sessionRoutes(deps, routes);
  kbRoutes(deps, routes);
  kbAuditRoutes(deps, routes);
  agentVersionRoutes(deps, routes);
  callRoutes(deps, routes);
  auditRoutes(deps, routes);
  apiKeyRoutes(deps, routes);
  queueRoutes(deps, routes);
  voiceRoutes(deps, routes);
  rolloutRoutes(deps, routes);
  dashboardRoutes(deps, routes);
  app.route('/', v1);

  return { app, routes: routes.specs };
}
