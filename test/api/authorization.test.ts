import { beforeAll, describe, expect, it } from 'vitest';
import { ALL_ROLES, type RouteSpec } from '@cc/api';
import type { Role } from '@cc/core';
import { createAgentVersion, createApiKey, createCall, createKbArticle } from '@cc/store/postgres';
import { migrateAnalytics } from '@cc/store/clickhouse';
import { ROLES, describeApi, expectProblem, json, uuid, type ApiTestEnv, type As } from './api-fixture.ts';

/**
 * The access policy, reviewed by a person. The matrix below is generated from the route table, so a new
 * route is tested whatever it is; this list makes a new route (or a changed role set) a visible change.
 */
const POLICY: Record<string, readonly Role[] | 'authenticated'> = {
  'POST /v1/auth/sign-out': 'authenticated',
  'GET /v1/me': 'authenticated',
  'GET /v1/kb/articles': ALL_ROLES,
  'GET /v1/kb/articles/:id': ALL_ROLES,
  'POST /v1/kb/articles': ['admin', 'supervisor'],
  'PATCH /v1/kb/articles/:id': ['admin', 'supervisor'],
  'POST /v1/kb/articles/:id/reviewed': ['admin', 'supervisor'],
  'GET /v1/kb/audit': ['admin', 'supervisor', 'reviewer'],
  'GET /v1/kb/articles/:id/diff': ALL_ROLES,
  'GET /v1/agent-versions': ALL_ROLES,
  'GET /v1/agent-versions/:id': ALL_ROLES,
  'POST /v1/agent-versions': ['admin', 'supervisor'],
  'POST /v1/agent-versions/:id/publish': ['admin', 'supervisor'],
  'GET /v1/calls': ['admin', 'supervisor'],
  'GET /v1/calls/:id': ALL_ROLES,
  'GET /v1/audit': ['admin', 'supervisor'],
  'GET /v1/api-keys': ['admin'],
  'POST /v1/api-keys': ['admin'],
  'DELETE /v1/api-keys/:id': ['admin'],
  'GET /v1/queues': ['admin', 'supervisor'],
  'POST /v1/analytics/calls': ['admin'],
  'POST /v1/voice/calls': ['admin', 'supervisor', 'reviewer'],
  'GET /v1/rollouts': ALL_ROLES,
  'GET /v1/rollouts/:id': ALL_ROLES,
  'POST /v1/rollouts': ['admin', 'supervisor'],
  'POST /v1/rollouts/:id/advance': ['admin', 'supervisor'],
  'POST /v1/rollouts/:id/pause': ['admin', 'supervisor'],
  'POST /v1/rollouts/:id/resume': ['admin', 'supervisor'],
  'POST /v1/rollouts/:id/rollback': ['admin', 'supervisor'],
  'POST /v1/rollouts/:id/complete': ['admin', 'supervisor'],
  'POST /v1/rollouts/:id/promote': ['admin', 'supervisor'],
  'GET /v1/dashboard': ['admin', 'supervisor', 'reviewer'],
  'GET /v1/dashboard/calls': ['admin', 'supervisor', 'reviewer'],
};
/** The only routes anyone may call without credentials. */
// Outside tenant roles: health, sign-in, and the operator's Prometheus endpoint (test/api/metrics.test.ts).
const PUBLIC_ROUTES = ['GET /healthz', 'GET /readyz', 'POST /v1/auth/sign-in', 'GET /metrics'];

const routeKey = (r: { method: string; path: string }) => `${r.method} ${r.path}`;
const allowedRoles = (spec: RouteSpec): readonly Role[] => (spec.roles === 'authenticated' ? ROLES : Array.isArray(spec.roles) ? spec.roles : []);

interface TenantRows {
  articleId: string;
  versionId: string;
  callId: string;
}

async function seedRows(env: ApiTestEnv, tenant: 'a' | 'b', label: string): Promise<TenantRows> {
  const tenantId = env[tenant].tenant.id;
  const article = await createKbArticle(env.db, tenantId, { slug: `${label}-${tenant}`, title: `Refunds ${tenant}`, topic: 'billing', body: `How refunds work in ${tenant}` });
  const version = await createAgentVersion(env.db, tenantId, { agentName: `${label}-${tenant}`, version: '1.0.0' });
  const call = await createCall(env.db, tenantId, { channel: 'voice', connector: 'generic', agentVersionId: version.id });
  return { articleId: article.id, versionId: version.id, callId: call.id };
}

describeApi('authorization', (env) => {
  describe('authorization matrix', () => {
    let rows: TenantRows;
    const roleKeys = {} as Record<Role, string>;
    beforeAll(async () => {
      rows = await seedRows(env(), 'a', 'matrix');
      await migrateAnalytics(env().analytics); // GET /v1/dashboard reads ClickHouse tables
      for (const role of ROLES) roleKeys[role] = (await createApiKey(env().db, env().a.tenant.id, { name: `${role} key`, role })).key;
    });

    /** Real ids of tenant A for reads (so an allowed read must be 200); a random uuid for writes (404 still proves the role check passed). */
    function concretePath(spec: RouteSpec): { path: string; realIds: boolean } {
      if (!spec.path.includes(':')) return { path: spec.path, realIds: spec.method === 'GET' };
      const real: Record<string, string> = { '/v1/kb/articles/': rows.articleId, '/v1/agent-versions/': rows.versionId, '/v1/calls/': rows.callId };
      const prefix = Object.keys(real).find((p) => spec.path.startsWith(p));
      const id = spec.method === 'GET' && prefix ? real[prefix]! : uuid();
      return { path: spec.path.replace(/:[A-Za-z_]+/g, id), realIds: spec.method === 'GET' && prefix !== undefined };
    }

    async function request(spec: RouteSpec, as: As): Promise<Response> {
      const { path } = concretePath(spec);
      const body = spec.method === 'GET' || spec.method === 'DELETE' ? {} : { json: {} };
      return env().call(path, { method: spec.method, as, ...body });
    }

    it('the route table is the reviewed policy, and lists every route the app serves', () => {
      const { routes, app } = env().api;
      expect(Object.fromEntries(routes.map((r) => [routeKey(r), r.roles]))).toEqual(POLICY);
      // Every handler the app serves (middleware is registered as ALL) is either public or in the table.
      const served = new Set(app.routes.filter((r) => r.method !== 'ALL').map(routeKey));
      expect([...served].sort()).toEqual([...PUBLIC_ROUTES, ...routes.map(routeKey)].sort());
    });

    it('every route refuses a request without credentials', async () => {
      for (const spec of env().api.routes) {
        const p = await expectProblem(await request(spec, null), 401);
        expect(p.type, routeKey(spec)).toBe('urn:cc:problem:unauthenticated');
      }
    });

    for (const kind of ['session', 'api key'] as const) {
      it(`every route x every role (${kind}): allowed roles pass the check, the others get 403`, async () => {
        const routes = env().api.routes;
        expect(routes.length).toBeGreaterThanOrEqual(Object.keys(POLICY).length);
        const outcomes: string[] = [];
        for (const spec of routes) {
          for (const role of ROLES) {
            // A fresh session each time: sign-out ends the one it is called with.
            const as: As = kind === 'session' ? { cookie: await env().freshCookie('a', role) } : { apiKey: roleKeys[role] };
            const res = await request(spec, as);
            const text = await res.text();
            const label = `${routeKey(spec)} as ${role} (${kind}) -> ${res.status} ${text.slice(0, 200)}`;
            outcomes.push(label);
            if (allowedRoles(spec).includes(role)) {
              expect(res.status, label).not.toBe(401);
              expect(res.status, label).not.toBe(403);
              expect(res.status, label).toBeLessThan(500);
              expect(text, label).not.toContain('route_not_found');
              // A read of existing rows (or a list) must succeed outright.
              if (concretePath(spec).realIds) expect(res.status, label).toBe(200);
            } else {
              expect(res.status, label).toBe(403);
              expect(JSON.parse(text), label).toMatchObject({ type: 'urn:cc:problem:forbidden', status: 403 });
            }
          }
        }
        expect(outcomes).toHaveLength(routes.length * ROLES.length);
      });
    }

    it('a denied write changes nothing', async () => {
      const before = await json(await env().call(`/v1/kb/articles/${rows.articleId}`, { as: { role: 'admin' } }));
      for (const role of ['reviewer', 'agent'] as const) {
        await expectProblem(await env().call(`/v1/kb/articles/${rows.articleId}`, { method: 'PATCH', as: { role }, json: { body: 'hijacked' } }), 403);
        await expectProblem(await env().call(`/v1/kb/articles/${rows.articleId}/reviewed`, { method: 'POST', as: { role } }), 403);
        await expectProblem(await env().call(`/v1/agent-versions/${rows.versionId}/publish`, { method: 'POST', as: { role } }), 403);
      }
      expect(await json(await env().call(`/v1/kb/articles/${rows.articleId}`, { as: { role: 'admin' } }))).toEqual(before);
      expect(await json(await env().call(`/v1/agent-versions/${rows.versionId}`, { as: { role: 'agent' } }))).toMatchObject({ status: 'draft' });
      expect((await json(await env().call('/v1/audit', { as: { role: 'admin' } }))).items).toEqual([]);
    });
  });

  describe('tenant isolation', () => {
    let a: TenantRows;
    let b: TenantRows;
    beforeAll(async () => {
      a = await seedRows(env(), 'a', 'isolation');
      b = await seedRows(env(), 'b', 'isolation');
    });
    const asB: As[] = [{ tenant: 'b', role: 'admin' }, { tenant: 'b', role: 'agent' }];

    it("tenant B gets 404 for tenant A's article, agent version and call ids", async () => {
      for (const who of [...asB, { apiKey: env().b.apiKey.key }]) {
        for (const path of [`/v1/kb/articles/${a.articleId}`, `/v1/agent-versions/${a.versionId}`, `/v1/calls/${a.callId}`]) {
          const p = await expectProblem(await env().call(path, { as: who }), 404);
          expect(p.type).toBe('urn:cc:problem:not_found');
          expect(p.detail).not.toContain('Refunds');
        }
      }
      // The same paths work for tenant A, so the 404s above are about the tenant.
      for (const path of [`/v1/kb/articles/${a.articleId}`, `/v1/agent-versions/${a.versionId}`, `/v1/calls/${a.callId}`]) {
        expect((await env().call(path, { as: { tenant: 'a', role: 'agent' } })).status).toBe(200);
      }
    });

    it("tenant B cannot change tenant A's rows", async () => {
      const as: As = { tenant: 'b', role: 'admin' };
      await expectProblem(await env().call(`/v1/kb/articles/${a.articleId}`, { method: 'PATCH', as, json: { body: 'cross-tenant edit' } }), 404);
      await expectProblem(await env().call(`/v1/kb/articles/${a.articleId}/reviewed`, { method: 'POST', as }), 404);
      await expectProblem(await env().call(`/v1/agent-versions/${a.versionId}/publish`, { method: 'POST', as }), 404);
      await expectProblem(await env().call(`/v1/api-keys/${env().a.apiKey.id}`, { method: 'DELETE', as }), 404);
      // References to the other tenant's rows are refused too.
      await expectProblem(await env().call('/v1/agent-versions', { as, json: { agentName: 'forked', version: '1', parentId: a.versionId } }), 404);
      await expectProblem(await env().call('/v1/kb/articles', { as, json: { slug: 'owned', title: 't', topic: 't', body: 'b', ownerUserId: env().a.users.admin.user.id } }), 404);

      const article = await json(await env().call(`/v1/kb/articles/${a.articleId}`, { as: { tenant: 'a', role: 'admin' } }));
      expect(article).toMatchObject({ currentVersion: 1, body: 'How refunds work in a', lastReviewedAt: null });
      expect(await json(await env().call(`/v1/agent-versions/${a.versionId}`, { as: { tenant: 'a', role: 'admin' } }))).toMatchObject({ status: 'draft' });
      expect((await env().call('/v1/me', { as: { apiKey: env().a.apiKey.key } })).status).toBe(200);
      // Nothing of this reached either tenant's audit log.
      for (const tenant of ['a', 'b'] as const) {
        expect((await json(await env().call('/v1/audit', { as: { tenant, role: 'admin' } }))).items).toEqual([]);
      }
    });

    it("lists never include the other tenant's rows", async () => {
      // Give each tenant an audit entry and a second API key through the API.
      for (const tenant of ['a', 'b'] as const) {
        await json(await env().call('/v1/kb/articles', { as: { tenant, role: 'supervisor' }, json: { slug: `listed-${tenant}`, title: `Listed ${tenant}`, topic: 'x', body: 'x' } }), 201);
        await json(await env().call('/v1/api-keys', { as: { tenant, role: 'admin' }, json: { name: `key of ${tenant}`, role: 'agent' } }), 201);
      }
      const lists: [string, (t: 'a' | 'b') => string[]][] = [
        ['/v1/kb/articles', (t) => [t === 'a' ? a.articleId : b.articleId]],
        ['/v1/agent-versions', (t) => [t === 'a' ? a.versionId : b.versionId]],
        ['/v1/calls', (t) => [t === 'a' ? a.callId : b.callId]],
        ['/v1/api-keys', (t) => [env()[t].apiKey.id]],
        ['/v1/audit', () => []],
      ];
      for (const [path, own] of lists) {
        for (const [tenant, as] of [['a', { tenant: 'a', role: 'admin' }], ['b', { tenant: 'b', role: 'admin' }], ['b', { apiKey: env().b.apiKey.key }]] as const) {
          const body = await json<{ items: { id: string | number; tenantId?: string }[] }>(await env().call(path, { as }));
          const other = tenant === 'a' ? 'b' : 'a';
          expect(body.items.length, path).toBeGreaterThan(0);
          const ids = body.items.map((i) => String(i.id));
          expect(ids, path).toEqual(expect.arrayContaining(own(tenant)));
          for (const otherId of own(other)) expect(ids, path).not.toContain(otherId);
          for (const item of body.items) if (item.tenantId !== undefined) expect(item.tenantId, path).toBe(env()[tenant].tenant.id);
          const text = JSON.stringify(body);
          expect(text).not.toContain(env()[other].tenant.id);
          expect(text).not.toContain(`listed-${other}`);
        }
      }
    });
  });
});
