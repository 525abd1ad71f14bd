import { z } from 'zod';
import { CallListQuery, getCall, listCalls } from '@cc/store/postgres';
import { queryParams } from '../request.ts';
import { MANAGERS, ALL_ROLES, type Routes } from '../route-table.ts';
import type { ApiDeps } from '../deps.ts';

/** Query strings are text: `?limit=20` must read as the number 20. */
const CallsQuery = CallListQuery.extend({ limit: z.coerce.number().int().min(1).max(500).default(50) });

export function callRoutes(deps: ApiDeps, routes: Routes) {
  const db = deps.db.db;
  routes.add({ method: 'GET', path: '/v1/calls', roles: MANAGERS, summary: 'Calls, newest first, with cursor paging' }, async (c) => {
    const { items, nextCursor } = await listCalls(db, c.get('principal').tenantId, queryParams(c, CallsQuery));
    return c.json({ items: items.map(({ callerIdHash: _hash, ...call }) => call), nextCursor });
  });
  routes.add({ method: 'GET', path: '/v1/calls/:id', roles: ALL_ROLES, summary: 'One call' }, async (c) => {
    const { callerIdHash: _hash, ...call } = await getCall(db, c.get('principal').tenantId, c.req.param('id')!);
    return c.json(call);
  });
}
