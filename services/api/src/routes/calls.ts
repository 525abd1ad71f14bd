import { CallListQuery, getCall, listCalls } from '@cc/store/postgres';
import { queryParams } from '../request.ts';
import { MANAGERS, ALL_ROLES, type Routes } from '../route-table.ts';
import type { ApiDeps } from '../deps.ts';

export function callRoutes(deps: ApiDeps, routes: Routes) {
  const db = deps.db.db;
  routes.add({ method: 'GET', path: '/v1/calls', roles: MANAGERS, summary: 'Calls, newest first, with cursor paging' }, async (c) => {
    const { items, nextCursor } = await listCalls(db, c.get('principal').tenantId, queryParams(c, CallListQuery));
    return c.json({ items: items.map(({ callerIdHash: _hash, ...call }) => call), nextCursor });
  });
  routes.add({ method: 'GET', path: '/v1/calls/:id', roles: ALL_ROLES, summary: 'One call' }, async (c) => {
    const { callerIdHash: _hash, ...call } = await getCall(db, c.get('principal').tenantId, c.req.param('id')!);
    return c.json(call);
  });
}
