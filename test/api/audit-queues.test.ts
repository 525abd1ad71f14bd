import { beforeAll, describe, expect, it } from 'vitest';
import { createCall } from '@cc/store/postgres';
import { describeApi, expectProblem, json, sqlRows, uuid, type ApiTestEnv, type As } from './api-fixture.ts';

interface AuditItem {
  id: number;
  tenantId: string;
  actorType: string;
  actorId: string | null;
  action: string;
  entityType: string;
  entityId: string | null;
  details: Record<string, unknown>;
}

const auditCount = async (env: ApiTestEnv) => (await sqlRows<{ n: number }>(env.db, 'select count(*)::int as n from audit_log'))[0]!.n;
const newestAudit = async (env: ApiTestEnv, tenant: 'a' | 'b' = 'a') =>
  (await json<{ items: AuditItem[] }>(await env.call('/v1/audit?limit=1', { as: { tenant, role: 'admin' } }))).items[0];

const articleBody = (slug: string) => ({ slug, title: `Title ${slug}`, topic: 'billing', body: `Version 1 of ${slug}` });

describeApi('audit and queues', (env) => {
  describe('audit log', () => {
    beforeAll(async () => {
      // Refuse audit entries of requests whose id starts with "fail-audit", to prove each mutation and its
      // entry commit or roll back together.
      await env().db.execute(`create function cc_test_refuse_audit() returns trigger language plpgsql as $$ begin raise exception 'audit entry refused by the test'; end $$`);
      await env().db.execute(
        `create trigger cc_test_refuse_audit before insert on audit_log for each row when (new.details->>'requestId' like 'fail-audit%') execute function cc_test_refuse_audit()`,
      );
    });

    /** Runs a successful mutation and checks it wrote exactly one entry, by this actor, about this entity. */
    async function expectAudited(
      call: (requestId: string) => Promise<Response>,
      expected: { action: string; entityType: string; entityId?: (body: any) => string; actor: { type: 'user' | 'api_key'; id: string } },
    ) {
      const before = await auditCount(env());
      const requestId = `req-${uuid()}`;
      const res = await call(requestId);
      expect(res.status, await res.clone().text()).toBeLessThan(300);
      expect(res.headers.get('x-request-id')).toBe(requestId);
      const body = await res.json();
      expect(await auditCount(env())).toBe(before + 1);
      const entry = await newestAudit(env());
      expect(entry).toMatchObject({
        tenantId: env().a.tenant.id,
        actorType: expected.actor.type,
        actorId: expected.actor.id,
        action: expected.action,
        entityType: expected.entityType,
        details: expect.objectContaining({ requestId }),
      });
      if (expected.entityId) expect(entry!.entityId).toBe(expected.entityId(body));
      return body as any;
    }

    it('every mutation writes one entry with actor, action and entity', async () => {
      const e = env();
      const admin = { type: 'user' as const, id: e.a.users.admin.user.id };
      const supervisor = { type: 'user' as const, id: e.a.users.supervisor.user.id };
      const service = { type: 'api_key' as const, id: e.a.apiKey.id };
      const headers = (requestId: string) => ({ 'x-request-id': requestId });
      const idOf = (b: any) => b.id;

      const article = await expectAudited((r) => e.call('/v1/kb/articles', { as: { role: 'supervisor' }, json: articleBody('audited'), headers: headers(r) }), {
        action: 'kb_article.created', entityType: 'kb_article', entityId: idOf, actor: supervisor,
      });
      await expectAudited((r) => e.call(`/v1/kb/articles/${article.id}`, { method: 'PATCH', as: { apiKey: e.a.apiKey.key }, json: { body: 'v2' }, headers: headers(r) }), {
        action: 'kb_article.edited', entityType: 'kb_article', entityId: () => article.id, actor: service,
      });
      await expectAudited((r) => e.call(`/v1/kb/articles/${article.id}/reviewed`, { method: 'POST', as: { role: 'admin' }, headers: headers(r) }), {
        action: 'kb_article.reviewed', entityType: 'kb_article', entityId: () => article.id, actor: admin,
      });
      const version = await expectAudited((r) => e.call('/v1/agent-versions', { as: { role: 'admin' }, json: { agentName: 'billing', version: '1.0.0' }, headers: headers(r) }), {
        action: 'agent_version.created', entityType: 'agent_version', entityId: idOf, actor: admin,
      });
      await expectAudited((r) => e.call(`/v1/agent-versions/${version.id}/publish`, { method: 'POST', as: { role: 'supervisor' }, headers: headers(r) }), {
        action: 'agent_version.published', entityType: 'agent_version', entityId: () => version.id, actor: supervisor,
      });
      const key = await expectAudited((r) => e.call('/v1/api-keys', { as: { role: 'admin' }, json: { name: 'audited key', role: 'agent' }, headers: headers(r) }), {
        action: 'api_key.created', entityType: 'api_key', entityId: (b) => b.apiKey.id, actor: admin,
      });
      await expectAudited((r) => e.call(`/v1/api-keys/${key.apiKey.id}`, { method: 'DELETE', as: { apiKey: e.a.apiKey.key }, headers: headers(r) }), {
        action: 'api_key.revoked', entityType: 'api_key', entityId: () => key.apiKey.id, actor: service,
      });
      const callId = uuid();
      await expectAudited(
        (r) => e.call('/v1/analytics/calls', { as: { role: 'admin' }, json: { tenantId: e.a.tenant.id, callId }, headers: headers(r) }),
        { action: 'analytics.ingest_queued', entityType: 'call', entityId: () => callId, actor: admin },
      );
      // The log never leaks secrets: the new key is not in it.
      const all = await (await e.call('/v1/audit?limit=500', { as: { role: 'admin' } })).text();
      expect(all).not.toContain(key.key);
    });

    it('a failed mutation writes no entry', async () => {
      const e = env();
      const article = await json(await e.call('/v1/kb/articles', { as: { role: 'admin' }, json: articleBody('failing') }), 201);
      const version = await json(await e.call('/v1/agent-versions', { as: { role: 'admin' }, json: { agentName: 'failing', version: '1' } }), 201);
      await json(await e.call(`/v1/agent-versions/${version.id}/publish`, { method: 'POST', as: { role: 'admin' } }));
      const before = await auditCount(e);
      const failures: [string, Parameters<ApiTestEnv['call']>[1], number][] = [
        ['/v1/kb/articles', { as: { role: 'admin' }, json: articleBody('failing') }, 409],
        ['/v1/kb/articles', { as: { role: 'admin' }, json: { slug: 'no-title' } }, 400],
        ['/v1/kb/articles', { as: { role: 'agent' }, json: articleBody('forbidden') }, 403],
        [`/v1/kb/articles/${article.id}`, { method: 'PATCH', as: { role: 'admin' }, json: { title: '' } }, 400],
        [`/v1/kb/articles/${uuid()}`, { method: 'PATCH', as: { role: 'admin' }, json: { title: 'x' } }, 404],
        [`/v1/kb/articles/${uuid()}/reviewed`, { method: 'POST', as: { role: 'admin' } }, 404],
        [`/v1/agent-versions/${version.id}/publish`, { method: 'POST', as: { role: 'admin' } }, 409],
        ['/v1/agent-versions', { as: { role: 'admin' }, json: { agentName: 'failing', version: '1' } }, 409],
        [`/v1/api-keys/${uuid()}`, { method: 'DELETE', as: { role: 'admin' } }, 404],
        ['/v1/api-keys', { as: { role: 'admin' }, json: { name: 'x', role: 'owner' } }, 400],
        ['/v1/analytics/calls', { as: { role: 'admin' }, json: { tenantId: e.b.tenant.id, callId: 'c' } }, 403],
        ['/v1/analytics/calls', { as: { role: 'admin' }, json: { tenantId: e.a.tenant.id } }, 400],
      ];
      for (const [path, init, status] of failures) await expectProblem(await e.call(path, init), status);
      expect(await auditCount(e)).toBe(before);
    });

    it('when the audit entry cannot be written, the change is rolled back too', async () => {
      const e = env();
      const as: As = { role: 'admin' };
      const failing = (n: number) => ({ 'x-request-id': `fail-audit-${n}` });
      const article = await json(await e.call('/v1/kb/articles', { as, json: articleBody('atomic') }), 201);
      const version = await json(await e.call('/v1/agent-versions', { as, json: { agentName: 'atomic', version: '1' } }), 201);
      const before = await auditCount(e);
      const keysBefore = (await json(await e.call('/v1/api-keys', { as }))).items.length;

      const refused: [string, Parameters<ApiTestEnv['call']>[1]][] = [
        ['/v1/kb/articles', { as, json: articleBody('never-created'), headers: failing(1) }],
        [`/v1/kb/articles/${article.id}`, { method: 'PATCH', as, json: { body: 'never saved' }, headers: failing(2) }],
        [`/v1/kb/articles/${article.id}/reviewed`, { method: 'POST', as, headers: failing(3) }],
        ['/v1/agent-versions', { as, json: { agentName: 'never', version: '1' }, headers: failing(4) }],
        [`/v1/agent-versions/${version.id}/publish`, { method: 'POST', as, headers: failing(5) }],
        ['/v1/api-keys', { as, json: { name: 'never', role: 'agent' }, headers: failing(6) }],
        [`/v1/api-keys/${e.a.apiKey.id}`, { method: 'DELETE', as, headers: failing(7) }],
      ];
      for (const [path, init] of refused) {
        const p = await expectProblem(await e.call(path, init), 500);
        expect(p.type).toBe('urn:cc:problem:internal');
        expect(p.detail).not.toMatch(/refused by the test|audit_log|trigger/);
      }
      expect(await auditCount(e)).toBe(before);
      const slugs = (await json(await e.call('/v1/kb/articles', { as }))).items.map((i: { slug: string }) => i.slug);
      expect(slugs).toContain('atomic');
      expect(slugs).not.toContain('never-created');
      expect(await json(await e.call(`/v1/kb/articles/${article.id}`, { as }))).toMatchObject({ currentVersion: 1, body: 'Version 1 of atomic', lastReviewedAt: null });
      expect(await json(await e.call(`/v1/agent-versions/${version.id}`, { as }))).toMatchObject({ status: 'draft' });
      expect((await json(await e.call('/v1/agent-versions', { as }))).items.map((v: { agentName: string }) => v.agentName)).not.toContain('never');
      expect((await json(await e.call('/v1/api-keys', { as }))).items).toHaveLength(keysBefore);
      expect((await e.call('/v1/me', { as: { apiKey: e.a.apiKey.key } })).status).toBe(200);
    });

    it('who edited or created is the caller, whatever the body claims', async () => {
      const e = env();
      const impostor = e.a.users.agent.user.id;
      const bySession = await json(await e.call('/v1/kb/articles', { as: { role: 'supervisor' }, json: { ...articleBody('attributed'), editedBy: impostor } }), 201);
      expect(bySession.versions[0].editedBy).toBe(e.a.users.supervisor.user.id);
      const byKey = await json(await e.call('/v1/kb/articles', { as: { apiKey: e.a.apiKey.key }, json: { ...articleBody('by-key'), editedBy: impostor } }), 201);
      expect(byKey.versions[0].editedBy).toBeNull();
      const edited = await json(await e.call(`/v1/kb/articles/${byKey.id}`, { method: 'PATCH', as: { apiKey: e.a.apiKey.key }, json: { body: 'v2', editedBy: impostor } }));
      expect(edited.versions[0]).toMatchObject({ version: 2, editedBy: null });
      const version = await json(await e.call('/v1/agent-versions', { as: { apiKey: e.a.apiKey.key }, json: { agentName: 'attributed', version: '1', createdBy: impostor } }), 201);
      expect(version.createdBy).toBeNull();
    });

    it('the audit log and the call list page with ?limit= and a cursor', async () => {
      const e = env();
      const all = (await json<{ items: AuditItem[] }>(await e.call('/v1/audit?limit=500', { as: { role: 'admin' } }))).items;
      expect(all.length).toBeGreaterThan(3);
      const seen: number[] = [];
      let cursor: string | null = null;
      do {
        const page: { items: AuditItem[]; nextCursor: string | null } = await json(await e.call(`/v1/audit?limit=2${cursor ? `&cursor=${cursor}` : ''}`, { as: { role: 'supervisor' } }));
        expect(page.items.length).toBeLessThanOrEqual(2);
        seen.push(...page.items.map((i) => i.id));
        cursor = page.nextCursor;
      } while (cursor);
      expect(seen).toEqual(all.map((i) => i.id));
      await expectProblem(await e.call('/v1/audit?limit=0', { as: { role: 'admin' } }), 400);
      await expectProblem(await e.call('/v1/audit?limit=many', { as: { role: 'admin' } }), 400);

      for (let i = 0; i < 3; i++) await createCall(e.db, e.a.tenant.id, { channel: 'voice', connector: 'generic', startedAt: new Date(Date.UTC(2026, 0, 1 + i)) });
      const first = await json(await e.call('/v1/calls?limit=2', { as: { role: 'supervisor' } }));
      expect(first.items).toHaveLength(2);
      expect(first.nextCursor).toEqual(expect.any(String));
      expect(first.items[0]).not.toHaveProperty('callerIdHash');
      const second = await json(await e.call(`/v1/calls?limit=2&cursor=${first.nextCursor}`, { as: { role: 'supervisor' } }));
      expect(second).toMatchObject({ items: [expect.objectContaining({ startedAt: '2026-01-01T00:00:00.000Z' })], nextCursor: null });
    });
  });

  describe('analytics ingest queue', () => {
    const turn = (tenantId: string, callId: string, i: number) => ({
      tenant_id: tenantId, call_id: callId, turn_index: i, agent_version: '1.0.0', speaker: 'caller', text_redacted: 'hello',
      intent: 'billing', confidence: 0.9, started_at: '2026-10-01T10:00:00.000Z', ended_at: '2026-10-01T10:00:02.000Z',
    });
    const payload = (e: ApiTestEnv, callId: string = uuid(), tenant: 'a' | 'b' = 'a') => ({ tenantId: e[tenant].tenant.id, callId, turns: [turn(e[tenant].tenant.id, callId, 0), turn(e[tenant].tenant.id, callId, 1)] });
    const post = (e: ApiTestEnv, body: unknown, opts: { key?: string; tenant?: 'a' | 'b' } = {}) =>
      e.call('/v1/analytics/calls', { as: { tenant: opts.tenant ?? 'a', role: 'admin' }, json: body, headers: opts.key === undefined ? {} : { 'idempotency-key': opts.key } });
    const jobCount = async (e: ApiTestEnv) => {
      const c = await e.queues.queues.analytics.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'completed', 'failed');
      return Object.values(c).reduce((s, n) => s + n, 0);
    };

    it('enqueues the validated payload and answers 202 with the job id', async () => {
      const e = env();
      const body = payload(e);
      const before = await jobCount(e);
      const { jobId } = await json<{ jobId: string }>(await post(e, body, { key: 'call-1' }), 202);
      expect(await jobCount(e)).toBe(before + 1);
      const job = await e.queues.queues.analytics.getJob(jobId);
      expect(job?.name).toBe('ingest-call-analytics');
      // Validated: defaults filled in, every row kept.
      expect(job?.data).toEqual({ ...body, stageLatency: [], events: [] });
    });

    it('the same Idempotency-Key twice is one job; without a key the call id is the key', async () => {
      const e = env();
      const before = await jobCount(e);
      const body = payload(e);
      const first = await json<{ jobId: string }>(await post(e, body, { key: 'retry-me' }), 202);
      const second = await json<{ jobId: string }>(await post(e, body, { key: 'retry-me' }), 202);
      expect(second.jobId).toBe(first.jobId);
      const byCall = payload(e);
      const third = await json<{ jobId: string }>(await post(e, byCall), 202);
      const fourth = await json<{ jobId: string }>(await post(e, byCall), 202);
      expect(fourth.jobId).toBe(third.jobId);
      expect(third.jobId).not.toBe(first.jobId);
      expect(await jobCount(e)).toBe(before + 2);
    });

    it("another tenant's request with the same Idempotency-Key is its own job", async () => {
      const e = env();
      const before = await jobCount(e);
      const a = await json<{ jobId: string }>(await post(e, payload(e, 'shared-call-id', 'a'), { key: 'nightly-1' }), 202);
      const b = await json<{ jobId: string }>(await post(e, payload(e, 'shared-call-id', 'b'), { key: 'nightly-1', tenant: 'b' }), 202);
      expect(b.jobId).not.toBe(a.jobId);
      expect(await jobCount(e)).toBe(before + 2);
      expect((await e.queues.queues.analytics.getJob(b.jobId))?.data.tenantId).toBe(e.b.tenant.id);
      expect((await e.queues.queues.analytics.getJob(a.jobId))?.data.tenantId).toBe(e.a.tenant.id);
    });

    it("rejects a payload for another tenant, or carrying another tenant's rows", async () => {
      const e = env();
      const before = await jobCount(e);
      let p = await expectProblem(await post(e, payload(e, uuid(), 'b')), 403);
      expect(p.detail).toMatch(/own tenant/);
      const smuggled = payload(e);
      smuggled.turns[1]!.tenant_id = e.b.tenant.id;
      p = await expectProblem(await post(e, smuggled), 403);
      expect(p.detail).toContain('turns.1.tenant_id');
      const otherCall = payload(e);
      otherCall.turns[0]!.call_id = 'another-call';
      p = await expectProblem(await post(e, otherCall), 400);
      expect(p.errors).toEqual([{ path: 'turns.0.call_id', message: expect.any(String) }]);
      expect(await jobCount(e)).toBe(before);
    });

    it('a bad payload or Idempotency-Key is a 400 naming the field, and nothing is queued', async () => {
      const e = env();
      const before = await jobCount(e);
      const bad = payload(e);
      (bad.turns[0] as Record<string, unknown>).confidence = 2;
      let p = await expectProblem(await post(e, bad), 400);
      expect(p.errors?.map((x) => x.path)).toEqual(['turns.0.confidence']);
      p = await expectProblem(await post(e, { tenantId: e.a.tenant.id }), 400);
      expect(p.errors?.map((x) => x.path)).toEqual(['callId']);
      p = await expectProblem(await post(e, { ...payload(e), events: 'none' }), 400);
      expect(p.errors?.map((x) => x.path)).toEqual(['events']);
      for (const key of ['has space', 'x'.repeat(161), '']) {
        p = await expectProblem(await post(e, payload(e), { key }), 400);
        expect(p.errors?.map((x) => x.path)).toEqual(['idempotency-key']);
      }
      expect(await jobCount(e)).toBe(before);
    });

    it('/v1/queues shows the depth of each work queue', async () => {
      const e = env();
      const waiting = await e.queues.queues.analytics.getWaitingCount();
      expect(waiting).toBeGreaterThan(0);
      const { queues } = await json<{ queues: Record<string, unknown>[] }>(await e.call('/v1/queues', { as: { role: 'supervisor' } }));
      expect(queues).toEqual([
        { name: 'analytics', waiting, active: 0, delayed: 0, failed: 0, completed: 0, prioritized: 0, deadLettered: 0 },
        { name: 'rollouts', waiting: 0, active: 0, delayed: 0, failed: 0, completed: 0, prioritized: 0, deadLettered: 0 },
        { name: 'evals', waiting: 0, active: 0, delayed: 0, failed: 0, completed: 0, prioritized: 0, deadLettered: 0 },
      ]);
      await json(await post(e, payload(e)), 202);
      const after = await json<{ queues: { name: string; waiting: number }[] }>(await e.call('/v1/queues', { as: { apiKey: e.a.apiKey.key } }));
      expect(after.queues.find((q) => q.name === 'analytics')?.waiting).toBe(waiting + 1);
    });
  });
});
