import { NewApiKey, createApiKey, listApiKeys, revokeApiKey } from '@cc/store/postgres';
import { audit } from '../audit.ts';
import { jsonBody } from '../request.ts';
import type { Routes } from '../route-table.ts';
import type { ApiDeps } from '../deps.ts';

export function apiKeyRoutes(deps: ApiDeps, routes: Routes) {
  const db = deps.db.db;
  routes.add({ method: 'GET', path: '/v1/api-keys', roles: ['admin'], summary: 'API keys (never the keys themselves)' }, async (c) => {
    return c.json({ items: await listApiKeys(db, c.get('principal').tenantId) });
  });
  routes.add({ method: 'POST', path: '/v1/api-keys', roles: ['admin'], summary: 'Create an API key: the key is shown once' }, async (c) => {
    const input = await jsonBody(c, NewApiKey);
    const created = await db.transaction(async (tx) => {
      const k = await createApiKey(tx, c.get('principal').tenantId, input);
      await audit(c, tx, { action: 'api_key.created', entityType: 'api_key', entityId: k.apiKey.id, details: { name: k.apiKey.name, role: k.apiKey.role } });
      return k;
    });
    return c.json(created, 201);
  });
  routes.add({ method: 'DELETE', path: '/v1/api-keys/:id', roles: ['admin'], summary: 'Revoke an API key' }, async (c) => {
    const revoked = await db.transaction(async (tx) => {
      const k = await revokeApiKey(tx, c.get('principal').tenantId, c.req.param('id')!);
      await audit(c, tx, { action: 'api_key.revoked', entityType: 'api_key', entityId: k.id });
      return k;
    });
    return c.json(revoked);
  });
}
