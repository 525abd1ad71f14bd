import { expect, it } from 'vitest';
import { createApiApp, type ApiDeps } from '@cc/api';
import { createRedis } from '@cc/queue';
import { createDatabase } from '@cc/store/postgres';
import { closedPort, describeApi, expectNoInternals, expectProblem, json, openAnalytics, uuid, type ApiTestEnv } from './api-fixture.ts';

interface Check {
  ok: boolean;
  driver: string;
  ms: number;
  error?: string;
}
interface Readiness {
  status: string;
  checks: { postgres: Check; clickhouse: Check; redis: Check };
}

async function readyz(deps: ApiDeps): Promise<{ res: Response; body: Readiness; text: string }> {
  const res = await createApiApp(deps).app.request('/readyz');
  const text = await res.text();
  return { res, body: JSON.parse(text) as Readiness, text };
}

const article = (slug: string) => ({ slug, title: `Title ${slug}`, topic: 'billing', body: `Version 1 body of ${slug}` });

async function createArticle(env: ApiTestEnv, slug: string): Promise<{ id: string; currentVersion: number; body: string }> {
  return json(await env.call('/v1/kb/articles', { as: { role: 'admin' }, json: article(slug) }), 201);
}

describeApi('health', (env, driver) => {
  it('/healthz answers 200 without credentials', async () => {
    const res = await env().call('/healthz');
    expect(await json(res)).toEqual({ status: 'ok' });
    expect(res.headers.get('x-request-id')).toBeTruthy();
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('/readyz is 200 with every store ok and its driver named', async () => {
    const { res, body, text } = await readyz(env().deps);
    expect(res.status, text).toBe(200);
    expect(body.status).toBe('ready');
    expect(body.checks.postgres).toMatchObject({ ok: true, driver });
    expect(body.checks.clickhouse).toMatchObject({ ok: true, driver: 'chdb' });
    expect(body.checks.redis).toMatchObject({ ok: true, driver: 'redis' });
    for (const check of Object.values(body.checks)) {
      expect(check.ms).toBeGreaterThanOrEqual(0);
      expect(check.error).toBeUndefined();
    }
  });

  it('/readyz is 503 naming Postgres when its handle is closed', async () => {
    const e = env();
    const closed = driver === 'pglite' ? await createDatabase({ DATA_DIR: 'unused' }, { inMemory: true }) : await createDatabase({ DATABASE_URL: e.config.DATABASE_URL, DATA_DIR: 'unused' });
    await closed.close();
    const { res, body, text } = await readyz({ ...e.deps, db: closed });
    expect(res.status, text).toBe(503);
    expect(body.status).toBe('not_ready');
    expect(body.checks.postgres).toMatchObject({ ok: false, driver, error: expect.any(String) });
    expect(body.checks.clickhouse.ok).toBe(true);
    expect(body.checks.redis.ok).toBe(true);
    expectNoInternals(text);
  });

  it('/readyz is 503 naming Redis when it points at a closed port', async () => {
    const e = env();
    const deadRedis = createRedis(`redis://127.0.0.1:${await closedPort()}`);
    deadRedis.on('error', () => {});
    try {
      const { res, body, text } = await readyz({ ...e.deps, redis: deadRedis });
      expect(res.status, text).toBe(503);
      expect(body.checks.redis).toMatchObject({ ok: false, driver: 'redis', error: expect.any(String) });
      expect(body.checks.postgres.ok).toBe(true);
      expect(body.checks.clickhouse.ok).toBe(true);
      expectNoInternals(text);
    } finally {
      deadRedis.disconnect();
    }
  });

  it('/readyz is 503 naming ClickHouse when the chDB session is closed', async () => {
    const e = env();
    const closed = await openAnalytics(`closed_${e.suiteId}`);
    await closed.close();
    const { res, body, text } = await readyz({ ...e.deps, analytics: closed });
    expect(res.status, text).toBe(503);
    expect(body.checks.clickhouse).toMatchObject({ ok: false, driver: 'chdb', error: expect.any(String) });
    expect(body.checks.postgres.ok).toBe(true);
    expectNoInternals(text);
  });
});

describeApi('problem documents', (env) => {
  it('400 for malformed JSON, naming the problem', async () => {
    const p = await expectProblem(await env().call('/v1/kb/articles', { as: { role: 'admin' }, body: '{"slug": "x",', headers: { 'content-type': 'application/json' } }), 400);
    expect(p.type).toBe('urn:cc:problem:validation_failed');
    expect(p.detail).toMatch(/not valid JSON/);
  });

  it('400 for a wrong content type', async () => {
    const p = await expectProblem(await env().call('/v1/kb/articles', { as: { role: 'admin' }, body: JSON.stringify(article('ct')), headers: { 'content-type': 'text/plain' } }), 400);
    expect(p.errors).toEqual([expect.objectContaining({ path: 'content-type', message: expect.stringContaining('text/plain') })]);
    // Nothing was created.
    const list = await json<{ items: { slug: string }[] }>(await env().call('/v1/kb/articles', { as: { role: 'admin' } }));
    expect(list.items.map((i) => i.slug)).not.toContain('ct');
  });

  it('400 for a schema failure lists every bad field', async () => {
    const { title: _t, ...noTitle } = article('bad-fields');
    const p = await expectProblem(await env().call('/v1/kb/articles', { as: { role: 'admin' }, json: { ...noTitle, slug: 'Not A Slug!' } }), 400);
    const paths = p.errors?.map((e) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['title', 'slug']));
    expect(p.detail).toMatch(/title/);
  });

  it('400 for a bad query parameter', async () => {
    const p = await expectProblem(await env().call('/v1/kb/articles?status=bogus', { as: { role: 'admin' } }), 400);
    expect(p.errors?.map((e) => e.path)).toEqual(['status']);
  });

  it('401 without credentials, on every /v1 path including unknown ones', async () => {
    for (const path of ['/v1/me', '/v1/kb/articles', '/v1/does-not-exist']) {
      const p = await expectProblem(await env().call(path), 401);
      expect(p.type).toBe('urn:cc:problem:unauthenticated');
    }
  });

  it('403 for a role that may not call the route', async () => {
    const p = await expectProblem(await env().call('/v1/kb/articles', { as: { role: 'reviewer' }, json: article('forbidden') }), 403);
    expect(p.type).toBe('urn:cc:problem:forbidden');
    expect(p.detail).toMatch(/admin or supervisor/);
  });

  it('404 for an unknown route and for unknown ids', async () => {
    let p = await expectProblem(await env().call('/nope'), 404);
    expect(p.type).toBe('urn:cc:problem:route_not_found');
    p = await expectProblem(await env().call('/v1/nope', { as: { role: 'admin' } }), 404);
    expect(p.type).toBe('urn:cc:problem:route_not_found');
    for (const path of [`/v1/kb/articles/${uuid()}`, '/v1/kb/articles/not-a-uuid', `/v1/agent-versions/${uuid()}`, `/v1/calls/${uuid()}`]) {
      p = await expectProblem(await env().call(path, { as: { role: 'admin' } }), 404);
      expect(p.type).toBe('urn:cc:problem:not_found');
    }
  });

  it('409 for a duplicate KB slug, leaving the first article as it was', async () => {
    const first = await createArticle(env(), 'duplicate');
    const p = await expectProblem(await env().call('/v1/kb/articles', { as: { role: 'supervisor' }, json: { ...article('duplicate'), title: 'Other' } }), 409);
    expect(p.type).toBe('urn:cc:problem:conflict');
    expect(p.detail).toMatch(/duplicate/);
    const stored = await json(await env().call(`/v1/kb/articles/${first.id}`, { as: { role: 'admin' } }));
    expect(stored).toMatchObject({ title: 'Title duplicate', currentVersion: 1 });
  });

  it('413 for a body over 2 MB, and nothing is stored', async () => {
    const huge = { ...article('huge'), body: 'x'.repeat(2 * 1024 * 1024 + 10) };
    const p = await expectProblem(await env().call('/v1/kb/articles', { as: { role: 'admin' }, json: huge }), 413);
    expect(p.type).toBe('urn:cc:problem:body_too_large');
    const list = await json<{ items: { slug: string }[] }>(await env().call('/v1/kb/articles', { as: { role: 'admin' } }));
    expect(list.items.map((i) => i.slug)).not.toContain('huge');
  });

  it('a failed PATCH changes nothing: the article keeps its version 1 body', async () => {
    const created = await createArticle(env(), 'intact');
    const path = `/v1/kb/articles/${created.id}`;
    const bad = [
      { body: '' },
      { title: 42 },
      {},
      { body: 'new body', status: 'bogus' },
      { ownerUserId: env().b.users.admin.user.id }, // a user of the other tenant
    ];
    for (const edit of bad) {
      const res = await env().call(path, { method: 'PATCH', as: { role: 'admin' }, json: edit });
      expect([400, 404]).toContain(res.status);
      await expectProblem(res, res.status);
    }
    await expectProblem(await env().call(path, { method: 'PATCH', as: { role: 'admin' }, body: '{"body":', headers: { 'content-type': 'application/json' } }), 400);
    const stored = await json<{ currentVersion: number; body: string; versions: unknown[]; status: string; ownerId: unknown }>(await env().call(path, { as: { role: 'agent' } }));
    expect(stored).toMatchObject({ currentVersion: 1, body: 'Version 1 body of intact', status: 'draft' });
    expect(stored.versions).toHaveLength(1);
    // And a good PATCH does make version 2, so the checks above could have failed.
    const edited = await json(await env().call(path, { method: 'PATCH', as: { role: 'supervisor' }, json: { body: 'Version 2 body' } }));
    expect(edited).toMatchObject({ currentVersion: 2, body: 'Version 2 body' });
  });

  it('500s are problem documents without internals', async () => {
    // A unique violation the API does not map would surface as 500; simulate with a broken query:
    // an article id that is a valid uuid of the other tenant is a 404, never a 500 (checked elsewhere),
    // so here break the store instead by closing a throwaway database handle.
    const e = env();
    const closed = e.driver === 'pglite' ? await createDatabase({ DATA_DIR: 'unused' }, { inMemory: true }) : await createDatabase({ DATABASE_URL: e.config.DATABASE_URL, DATA_DIR: 'unused' });
    await closed.close();
    const app = createApiApp({ ...e.deps, db: closed }).app;
    const res = await app.request('/v1/me', { headers: { cookie: e.a.users.admin.cookie } });
    expect([500, 503]).toContain(res.status);
    await expectProblem(res, res.status);
  });
});
