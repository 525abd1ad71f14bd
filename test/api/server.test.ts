import { Agent, request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { createApiApp, startHttpServer, type ApiDeps, type RunningServer } from '@cc/api';
import { createRedis } from '@cc/queue';
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

// --- a plain HTTP client for the real server: no connection pooling unless an Agent is given ---

interface Reply {
  status: number;
  body: string;
}

function send(url: string, opts: { method?: string; headers?: Record<string, string>; body?: string; agent?: Agent | false } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: opts.method ?? 'GET', headers: opts.headers, agent: opts.agent ?? false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** Resolves with the error code of a TCP connect to `port` (or "connected"). */
function tryConnect(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
  });
}

/**
 * Holds the row lock of a KB article (a transaction of the test's own), so a PATCH of that article
 * through the API blocks inside the real handler until `release()`. On PGlite the open transaction
 * holds the single connection, which blocks the request the same way.
 */
function holdArticle(env: ApiTestEnv, articleId: string): { locked: Promise<void>; release(): void; done: Promise<void> } {
  let release!: () => void;
  let locked!: () => void;
  const released = new Promise<void>((r) => (release = r));
  const lockedP = new Promise<void>((r) => (locked = r));
  const done = env.db.transaction(async (tx) => {
    await tx.execute(`select id from kb_articles where id = '${articleId}' for update`);
    locked();
    await released;
  });
  return { locked: lockedP, release, done };
}

async function startServer(env: ApiTestEnv): Promise<{ server: RunningServer; arrived: () => Promise<void> }> {
  let onArrive: (() => void) | undefined;
  const server = await startHttpServer(
    (req) => {
      if (req.method === 'PATCH') onArrive?.();
      return env.api.app.fetch(req);
    },
    { host: '127.0.0.1', port: 0 },
  );
  return { server, arrived: () => new Promise<void>((r) => (onArrive = r)) };
}

describeApi('server', (env, driver) => {
  describe('health', () => {
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

  describe('problem documents', () => {
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
  });

  describe('graceful shutdown', () => {
    async function newArticle(slug: string): Promise<string> {
      const created = await json(await env().call('/v1/kb/articles', { as: { role: 'admin' }, json: { slug, title: slug, topic: 't', body: 'version 1' } }), 201);
      return created.id;
    }
    const patch = (server: RunningServer, articleId: string) =>
      send(`${server.url}/v1/kb/articles/${articleId}`, {
        method: 'PATCH',
        headers: { cookie: env().a.users.admin.cookie, 'content-type': 'application/json' },
        body: JSON.stringify({ body: 'version 2' }),
      });

    it('a request in flight when close() is called completes with 200; new connections are refused', async () => {
      const articleId = await newArticle('in-flight');
      const { server, arrived } = await startServer(env());
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      // An idle keep-alive connection must not hold the shutdown up.
      const keepAlive = new Agent({ keepAlive: true });
      expect((await send(`${server.url}/healthz`, { agent: keepAlive })).status).toBe(200);

      const hold = holdArticle(env(), articleId);
      await hold.locked;
      const arrival = arrived();
      const slow = patch(server, articleId);
      await arrival;
      await sleep(100); // let it reach the row lock

      let closed = false;
      const closing = server.close(10_000).then(() => (closed = true));
      // The listener is gone at once: new connections are refused while the slow request still runs.
      expect(await tryConnect(server.port)).toBe('ECONNREFUSED');
      await expect(send(`${server.url}/healthz`)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
      await sleep(200);
      expect(closed).toBe(false);

      hold.release();
      await hold.done;
      const reply = await slow;
      expect(reply.status, reply.body).toBe(200);
      expect(JSON.parse(reply.body)).toMatchObject({ currentVersion: 2, body: 'version 2' });
      const started = Date.now();
      await closing;
      expect(Date.now() - started).toBeLessThan(2_000);
      keepAlive.destroy();
      const stored = await json(await env().call(`/v1/kb/articles/${articleId}`, { as: { role: 'agent' } }));
      expect(stored.currentVersion).toBe(2);
    });

    it('close() gives up on a request that outlasts the timeout', async () => {
      const articleId = await newArticle('too-slow');
      const { server, arrived } = await startServer(env());
      const hold = holdArticle(env(), articleId);
      await hold.locked;
      const arrival = arrived();
      const slow = patch(server, articleId).then(
        (r) => r,
        (err: Error) => err,
      );
      await arrival;
      const started = Date.now();
      await server.close(300);
      const took = Date.now() - started;
      expect(took).toBeGreaterThanOrEqual(250);
      expect(took).toBeLessThan(3_000);
      const outcome = await slow;
      expect(outcome).toBeInstanceOf(Error); // the connection was closed under it
      hold.release();
      await hold.done;
      // The handler itself ran to its end once the lock was free; wait for it before the suite closes the stores.
      await expect.poll(async () => (await json(await env().call(`/v1/kb/articles/${articleId}`, { as: { role: 'agent' } }))).currentVersion, { timeout: 5_000 }).toBe(2);
    });
  });

  // Last in the file: it closes the suite's Postgres handle (afterAll's close is idempotent).
  describe('when Postgres goes away', () => {
    it('/readyz is 503 naming Postgres, and requests get a problem document without internals', async () => {
      const e = env();
      await e.handle.close();
      const { res, body, text } = await readyz(e.deps);
      expect(res.status, text).toBe(503);
      expect(body.status).toBe('not_ready');
      expect(body.checks.postgres).toMatchObject({ ok: false, driver, error: expect.any(String) });
      expect(body.checks.clickhouse.ok).toBe(true);
      expect(body.checks.redis.ok).toBe(true);
      expectNoInternals(text);
      const me = await e.call('/v1/me', { as: { role: 'admin' } });
      expect(me.status).toBe(503);
      expect(me.headers.get('retry-after')).toBe('5');
      const problem = await expectProblem(me, 503);
      expect(problem.detail).toMatch(/postgres unavailable/);
      expect((await e.call('/healthz')).status).toBe(200);
    });
  });
});
