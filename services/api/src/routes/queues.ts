import { z } from 'zod';
import { ForbiddenError, ValidationError, type FieldIssue } from '@cc/core';
import { IngestCallAnalytics } from '@cc/queue';
import { audit } from '../audit.ts';
import { jsonBody } from '../request.ts';
import { MANAGERS, type Routes } from '../route-table.ts';
import type { ApiDeps } from '../deps.ts';

/** At most 160 characters: the job id adds the tenant id in front, and the queue takes 200. */
const IdempotencyKey = z.string().regex(/^[\w.:-]{1,160}$/, 'use 1-160 letters, digits, ".", ":", "_" or "-"');
const rowLists = ['turns', 'stageLatency', 'events'] as const;

export function queueRoutes(deps: ApiDeps, routes: Routes) {
  routes.add({ method: 'GET', path: '/v1/queues', roles: MANAGERS, summary: 'Queue depths, including dead-lettered jobs' }, async (c) => {
    return c.json({ queues: await deps.queues.depths() });
  });
  routes.add(
    { method: 'POST', path: '/v1/analytics/calls', roles: ['admin'], summary: "Queue a finished call's turns, stage latencies and events for ingestion" },
    async (c) => {
      const header = c.req.header('idempotency-key');
      const key = header === undefined ? undefined : IdempotencyKey.safeParse(header);
      if (key && !key.success) throw new ValidationError('request', [{ path: 'idempotency-key', message: key.error.issues[0]?.message ?? 'is not valid' }]);
      const payload = await jsonBody(c, IngestCallAnalytics);
      const tenantId = c.get('principal').tenantId;
      if (payload.tenantId !== tenantId) throw new ForbiddenError('tenantId must be your own tenant');
      // Every row is written as it is, so each must belong to this tenant and this call.
      const foreign: FieldIssue[] = [];
      for (const list of rowLists) {
        payload[list].forEach((row, i) => {
          if (row.tenant_id !== tenantId) foreign.push({ path: `${list}.${i}.tenant_id`, message: 'must be your own tenant' });
          if (row.call_id !== payload.callId) foreign.push({ path: `${list}.${i}.call_id`, message: 'must be the callId of the payload' });
        });
      }
      if (foreign.some((f) => f.path.endsWith('tenant_id'))) throw new ForbiddenError(`rows of another tenant: ${foreign[0]!.path}`);
      if (foreign.length > 0) throw new ValidationError('request body', foreign.slice(0, 20));
      // Keys are per tenant: another tenant's request with the same key is a different job.
      const idempotencyKey = key ? `${tenantId}:${key.data}` : `${tenantId}:${payload.callId}`;
      const jobId = await deps.queues.enqueue('ingest-call-analytics', payload, { idempotencyKey });
      await audit(c, deps.db.db, { action: 'analytics.ingest_queued', entityType: 'call', entityId: payload.callId, details: { jobId } });
      return c.json({ jobId }, 202);
    },
  );
}
