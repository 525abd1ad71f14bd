import { z } from 'zod';
import { ForbiddenError } from '@cc/core';
import { IngestCallAnalytics } from '@cc/queue';
import { audit } from '../audit.ts';
import { jsonBody } from '../request.ts';
import { MANAGERS, type Routes } from '../route-table.ts';
import type { ApiDeps } from '../deps.ts';

const IdempotencyKey = z.string().regex(/^[\w.:-]{1,200}$/, 'use 1-200 letters, digits, ".", ":", "_" or "-"');

export function queueRoutes(deps: ApiDeps, routes: Routes) {
  routes.add({ method: 'GET', path: '/v1/queues', roles: MANAGERS, summary: 'Queue depths, including dead-lettered jobs' }, async (c) => {
    return c.json({ queues: await deps.queues.depths() });
  });
  routes.add(
    { method: 'POST', path: '/v1/analytics/calls', roles: ['admin'], summary: "Queue a finished call's turns, stage latencies and events for ingestion" },
    async (c) => {
      const key = IdempotencyKey.safeParse(c.req.header('idempotency-key'));
      const payload = await jsonBody(c, IngestCallAnalytics);
      if (payload.tenantId !== c.get('principal').tenantId) throw new ForbiddenError('tenantId must be your own tenant');
      const idempotencyKey = key.success ? key.data : `${payload.tenantId}:${payload.callId}`;
      const jobId = await deps.queues.enqueue('ingest-call-analytics', payload, { idempotencyKey });
      await audit(c, deps.db.db, { action: 'analytics.ingest_queued', entityType: 'call', entityId: payload.callId, details: { jobId } });
      return c.json({ jobId }, 202);
    },
  );
}
