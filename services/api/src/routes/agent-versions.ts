import { z } from 'zod';
import { AgentVersionStatus } from '@cc/core';
import { NewAgentVersion, createAgentVersion, getAgentVersion, listAgentVersions, publishAgentVersion } from '@cc/store/postgres';
import { audit } from '../audit.ts';
import { jsonBody, queryParams } from '../request.ts';
import { ALL_ROLES, MANAGERS, type Routes } from '../route-table.ts';
import type { ApiDeps } from '../deps.ts';

const ListQuery = z.object({ agentName: z.string().max(100).optional(), status: AgentVersionStatus.optional() });

export function agentVersionRoutes(deps: ApiDeps, routes: Routes) {
  const db = deps.db.db;
  routes.add({ method: 'GET', path: '/v1/agent-versions', roles: ALL_ROLES, summary: 'List agent versions' }, async (c) => {
    const items = await listAgentVersions(db, c.get('principal').tenantId, queryParams(c, ListQuery));
    return c.json({ items: items.map(({ flows: _f, intents: _i, ...summary }) => summary) });
  });
  routes.add({ method: 'GET', path: '/v1/agent-versions/:id', roles: ALL_ROLES, summary: 'An agent version with flows and intents' }, async (c) => {
    return c.json(await getAgentVersion(db, c.get('principal').tenantId, c.req.param('id')!));
  });
  routes.add({ method: 'POST', path: '/v1/agent-versions', roles: MANAGERS, summary: 'Create a draft agent version' }, async (c) => {
    const { createdBy: _claimed, ...input } = await jsonBody(c, NewAgentVersion);
    const p = c.get('principal');
    const version = await db.transaction(async (tx) => {
      const v = await createAgentVersion(tx, p.tenantId, { ...input, ...(p.userId ? { createdBy: p.userId } : {}) });
      await audit(c, tx, { action: 'agent_version.created', entityType: 'agent_version', entityId: v.id, details: { agentName: v.agentName, version: v.version } });
      return v;
    });
    return c.json(version, 201);
  });
  routes.add({ method: 'POST', path: '/v1/agent-versions/:id/publish', roles: MANAGERS, summary: 'Publish a draft: immutable afterwards' }, async (c) => {
    const version = await db.transaction(async (tx) => {
      const v = await publishAgentVersion(tx, c.get('principal').tenantId, c.req.param('id')!);
      await audit(c, tx, { action: 'agent_version.published', entityType: 'agent_version', entityId: v.id, details: { version: v.version } });
      return v;
    });
    return c.json(version);
  });
}
