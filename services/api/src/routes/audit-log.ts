import { AuditListQuery, listAudit } from '@cc/store/postgres';
import { queryParams } from '../request.ts';
import { MANAGERS, type Routes } from '../route-table.ts';
import type { ApiDeps } from '../deps.ts';

export function auditRoutes(deps: ApiDeps, routes: Routes) {
  routes.add({ method: 'GET', path: '/v1/audit', roles: MANAGERS, summary: 'The audit log, newest first' }, async (c) => {
    return c.json(await listAudit(deps.db.db, c.get('principal').tenantId, queryParams(c, AuditListQuery)));
  });
}
