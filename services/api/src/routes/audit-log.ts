import { z } from 'zod';
import { AuditListQuery, listAudit } from '@cc/store/postgres';
import { queryParams } from '../request.ts';
import { MANAGERS, type Routes } from '../route-table.ts';
import type { ApiDeps } from '../deps.ts';

/** Query strings are text: `?limit=20` must read as the number 20. */
const AuditQuery = AuditListQuery.extend({ limit: z.coerce.number().int().min(1).max(500).default(50) });

export function auditRoutes(deps: ApiDeps, routes: Routes) {
  routes.add({ method: 'GET', path: '/v1/audit', roles: MANAGERS, summary: 'The audit log, newest first' }, async (c) => {
    return c.json(await listAudit(deps.db.db, c.get('principal').tenantId, queryParams(c, AuditQuery)));
  });
}
