import { describe, expect, it } from 'vitest';
import { createApiApp } from '@cc/api';
import { hashApiKey } from '@cc/core';
import { createApiKey, createSession, createUser, disableUser } from '@cc/store/postgres';
import { PASSWORD, describeApi, expectProblem, json, sqlRows, uuid, type ApiTestEnv } from './api-fixture.ts';

const signIn = (env: ApiTestEnv, body: Record<string, unknown>, opts: { url?: string; client?: string } = {}) =>
  env.call(opts.url ?? '/v1/auth/sign-in', { json: body, headers: opts.client ? { 'x-forwarded-for': opts.client } : {} });

function sessionCookie(res: Response): { header: string; cookie: string } {
  const header = res.headers.get('set-cookie') ?? '';
  const match = /^cc_session=([^;]+);/.exec(header);
  expect(match, header).not.toBeNull();
  return { header, cookie: `cc_session=${match![1]}` };
}

async function newUser(env: ApiTestEnv, tenant: 'a' | 'b', label: string, role: 'admin' | 'agent' = 'agent') {
  const email = `${label}-${uuid().slice(0, 8)}@${env.suiteId}.example.com`;
  const user = await createUser(env.db, env[tenant].tenant.id, { email, name: label, role, password: PASSWORD });
  return { user, email };
}

describeApi('auth', (env) => {
  describe('sign-in and sessions', () => {
    it('right password: 200, the user, and an HttpOnly SameSite=Lax session cookie that works for /v1/me', async () => {
      const { email, user } = env().a.users.supervisor;
      const res = await signIn(env(), { email: email.toUpperCase(), password: PASSWORD });
      const body = await json(res);
      expect(body.user).toEqual({ id: user.id, email, name: user.name, role: 'supervisor', tenantId: env().a.tenant.id, tenantName: 'Tenant TENANT-A', tenantSlug: 'tenant-a' });
      expect(JSON.stringify(body)).not.toMatch(/password|hash/i);
      const { header, cookie } = sessionCookie(res);
      expect(header).toMatch(/;\s*HttpOnly/i);
      expect(header).toMatch(/;\s*SameSite=Lax/i);
      expect(header).toMatch(/;\s*Path=\//i);
      expect(header).not.toMatch(/;\s*Secure/i); // http://localhost: loopback
      const me = await json(await env().call('/v1/me', { as: { cookie } }));
      expect(me.user).toMatchObject({ id: user.id, role: 'supervisor', tenantId: env().a.tenant.id });
    });

    it('COOKIE_SECURE=auto marks the cookie Secure unless the request URL is loopback', async () => {
      const { email } = env().a.users.agent;
      for (const [url, secure] of [
        ['https://cc.example.com/v1/auth/sign-in', true],
        ['http://api.internal:8080/v1/auth/sign-in', true],
        ['http://127.0.0.1:8080/v1/auth/sign-in', false],
        ['http://localhost:8080/v1/auth/sign-in', false],
        ['http://[::1]:8080/v1/auth/sign-in', false],
      ] as const) {
        const res = await signIn(env(), { email, password: PASSWORD }, { url });
        expect(res.status, url).toBe(200);
        expect(/;\s*Secure/i.test(sessionCookie(res).header), url).toBe(secure);
      }
      // COOKIE_SECURE=true forces it, even on loopback.
      const forced = createApiApp({ ...env().deps, config: { ...env().config, COOKIE_SECURE: 'true' } }).app;
      const res = await forced.request('http://127.0.0.1/v1/auth/sign-in', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': env().clientId },
        body: JSON.stringify({ email, password: PASSWORD }),
      });
      expect(res.status).toBe(200);
      expect(sessionCookie(res).header).toMatch(/;\s*Secure/i);
    });

    it('a wrong password is 401 with the same message as an unknown email, and sets no cookie', async () => {
      const { email } = await newUser(env(), 'a', 'wrongpw');
      const wrong = await signIn(env(), { email, password: 'not the password' });
      expect(wrong.headers.get('set-cookie')).toBeNull();
      const wrongProblem = await expectProblem(wrong, 401);
      const unknown = await expectProblem(await signIn(env(), { email: `nobody-${env().suiteId}@example.com`, password: 'whatever1' }), 401);
      expect(wrongProblem.detail).toBe(unknown.detail);
      expect(wrongProblem.type).toBe(unknown.type);
      // Unknown organisation: the same answer too.
      const badTenant = await expectProblem(await signIn(env(), { email, password: PASSWORD, tenant: 'no-such-org' }), 401);
      expect(badTenant.detail).toBe(unknown.detail);
    });

    it('a sign-in body that is not valid is a 400 naming the field', async () => {
      const p = await expectProblem(await signIn(env(), { email: 'not-an-email', password: PASSWORD }), 400);
      expect(p.errors?.map((e) => e.path)).toEqual(['email']);
    });

    it('sign-out ends the session and clears the cookie; other sessions live on', async () => {
      const { email } = await newUser(env(), 'a', 'signout');
      const first = sessionCookie(await signIn(env(), { email, password: PASSWORD })).cookie;
      const second = sessionCookie(await signIn(env(), { email, password: PASSWORD })).cookie;
      expect(first).not.toBe(second);
      const out = await env().call('/v1/auth/sign-out', { method: 'POST', as: { cookie: first } });
      expect(out.status).toBe(204);
      expect(out.headers.get('set-cookie')).toMatch(/^cc_session=;.*Max-Age=0/i);
      const p = await expectProblem(await env().call('/v1/me', { as: { cookie: first } }), 401);
      expect(p.detail).toMatch(/sign in again/);
      expect((await env().call('/v1/me', { as: { cookie: second } })).status).toBe(200);
    });

    it('sessions whose token is unknown or expired are refused', async () => {
      await expectProblem(await env().call('/v1/me', { as: { cookie: 'cc_session=forged-token' } }), 401);
      const { user } = await newUser(env(), 'a', 'expired');
      const expired = await createSession(env().db, env().a.tenant.id, { userId: user.id, ttlSeconds: 60 }, new Date(Date.now() - 120_000));
      await expectProblem(await env().call('/v1/me', { as: { cookie: `cc_session=${expired.token}` } }), 401);
    });

    it('a disabled user cannot sign in, and loses their sessions and API keys', async () => {
      const { email, user } = await newUser(env(), 'a', 'disabled', 'admin');
      const cookie = sessionCookie(await signIn(env(), { email, password: PASSWORD })).cookie;
      const { key } = await createApiKey(env().db, env().a.tenant.id, { name: 'personal', role: 'agent', userId: user.id });
      expect((await env().call('/v1/me', { as: { apiKey: key } })).status).toBe(200);
      await disableUser(env().db, env().a.tenant.id, user.id);
      const p = await expectProblem(await signIn(env(), { email, password: PASSWORD }), 401);
      expect(p.detail).toBe('Wrong email or password');
      await expectProblem(await env().call('/v1/me', { as: { cookie } }), 401);
      await expectProblem(await env().call('/v1/me', { as: { apiKey: key } }), 401);
    });

    it('an email in two organisations needs the organisation, and does not say so before the password is right', async () => {
      const { email } = await newUser(env(), 'a', 'twoorgs');
      await createUser(env().db, env().b.tenant.id, { email, name: 'in b', role: 'reviewer', password: PASSWORD });
      const wrong = await expectProblem(await signIn(env(), { email, password: 'guessing-123' }), 401);
      expect(wrong.detail).toBe('Wrong email or password');
      const ambiguous = await expectProblem(await signIn(env(), { email, password: PASSWORD }), 400);
      expect(ambiguous.errors?.map((e) => e.path)).toEqual(['tenant']);
      const inB = await json(await signIn(env(), { email, password: PASSWORD, tenant: 'tenant-b' }));
      expect(inB.user).toMatchObject({ tenantSlug: 'tenant-b', role: 'reviewer' });
      await expectProblem(await signIn(env(), { email, password: 'guessing-123', tenant: 'tenant-b' }), 401);
      // When only one of the accounts has this password, it is the one signed in to.
      const { email: other } = await newUser(env(), 'a', 'twoorgs-differ');
      await createUser(env().db, env().b.tenant.id, { email: other, name: 'in b', role: 'supervisor', password: 'another password' });
      expect((await json(await signIn(env(), { email: other, password: 'another password' }))).user).toMatchObject({ tenantSlug: 'tenant-b', role: 'supervisor' });
      expect((await json(await signIn(env(), { email: other, password: PASSWORD }))).user).toMatchObject({ tenantSlug: 'tenant-a', role: 'agent' });
    });

    it('429 with Retry-After after 5 attempts for one account, even with the right password', async () => {
      const { email } = await newUser(env(), 'a', 'ratelimited');
      for (let i = 0; i < 5; i++) await expectProblem(await signIn(env(), { email, password: `wrong-${i}` }), 401);
      for (const password of ['wrong-again', PASSWORD]) {
        const res = await signIn(env(), { email, password });
        const retryAfter = Number(res.headers.get('retry-after'));
        const p = await expectProblem(res, 429);
        expect(p.type).toBe('urn:cc:problem:rate_limited');
        expect(retryAfter).toBeGreaterThan(0);
        expect(retryAfter).toBeLessThanOrEqual(15 * 60);
        expect(p.detail).toContain(`${retryAfter} seconds`);
      }
      // Another account from the same client is not affected.
      expect((await signIn(env(), { email: env().a.users.reviewer.email, password: PASSWORD })).status).toBe(200);
    });

    it('a successful sign-in resets the account counter', async () => {
      const { email } = await newUser(env(), 'a', 'resets');
      const client = `${env().clientId}-resets`;
      for (let round = 0; round < 2; round++) {
        for (let i = 0; i < 4; i++) expect((await signIn(env(), { email, password: `wrong-${i}` }, { client })).status).toBe(401);
        expect((await signIn(env(), { email, password: PASSWORD }, { client })).status).toBe(200);
      }
    });

    /** Sign-in attempts already counted for `client` (the real Redis counter, set directly to save 30 scrypt runs). */
    const preload = (client: string, attempts: number) => env().redis.set(`cc:ratelimit:signin:client:${client}`, attempts, 'EX', 900);

    it('429 after 30 attempts from one client, whichever accounts they try', async () => {
      const client = `${env().clientId}-spray`;
      await preload(client, 27);
      for (let i = 0; i < 3; i++) {
        const res = await signIn(env(), { email: `spray-${i}-${env().suiteId}@example.com`, password: 'password1' }, { client });
        expect(res.status).toBe(401);
      }
      const res = await signIn(env(), { email: env().a.users.agent.email, password: PASSWORD }, { client });
      expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
      const p = await expectProblem(res, 429);
      expect(p.detail).toMatch(/from this address/);
      // Another client is not affected.
      expect((await signIn(env(), { email: env().a.users.agent.email, password: PASSWORD }, { client: `${client}-other` })).status).toBe(200);
    });

    it('successful sign-ins do not use up the per-client limit (a call centre signs in from one address)', async () => {
      const client = `${env().clientId}-office`;
      await preload(client, 29);
      const users = Object.values(env().a.users);
      for (let i = 0; i < 6; i++) {
        const res = await signIn(env(), { email: users[i % users.length]!.email, password: PASSWORD }, { client });
        expect(res.status, `sign-in ${i + 1}`).toBe(200);
      }
      // Failures still count: the 30th attempt is allowed, the 31st is not.
      expect((await signIn(env(), { email: users[0]!.email, password: 'wrong password' }, { client })).status).toBe(401);
      await expectProblem(await signIn(env(), { email: users[0]!.email, password: PASSWORD }, { client }), 429);
    });
  });

  describe('API keys', () => {
    it('Authorization: Bearer <key> authenticates as the key', async () => {
      const { key, id } = env().a.apiKey;
      const me = await json(await env().call('/v1/me', { as: { apiKey: key } }));
      expect(me).toEqual({ user: null, apiKey: { id, role: 'admin', tenantId: env().a.tenant.id, tenantName: 'Tenant TENANT-A' } });
      // The scheme is case-insensitive.
      expect((await env().call('/v1/me', { as: { authorization: `bearer ${key}` } })).status).toBe(200);
    });

    it('malformed or unknown Authorization headers are 401, without falling back to the cookie', async () => {
      const cookie = env().a.users.admin.cookie;
      for (const authorization of ['Basic dXNlcjpwYXNz', 'Bearer', 'Bearer ', `Bearer ${env().a.apiKey.key} extra`, `Token ${env().a.apiKey.key}`, 'Bearer cc_live_not-a-real-key', '']) {
        const res = await env().call('/v1/me', { headers: { authorization, cookie } });
        const p = await expectProblem(res, 401);
        expect(p.type).toBe('urn:cc:problem:unauthenticated');
      }
    });

    it('a key is shown once, stored only as its sha256, and never listed', async () => {
      const created = await json(await env().call('/v1/api-keys', { as: { role: 'admin' }, json: { name: 'ci', role: 'supervisor' } }), 201);
      const { key, apiKey } = created as { key: string; apiKey: Record<string, unknown> & { id: string; prefix: string } };
      expect(key.length).toBeGreaterThan(30);
      expect(apiKey).not.toHaveProperty('keyHash');
      expect(key.startsWith(apiKey.prefix)).toBe(true);
      expect(apiKey.prefix.length).toBeLessThan(key.length - 20);

      const [row] = await sqlRows<Record<string, unknown>>(env().db, `select * from api_keys where id = '${apiKey.id}'`);
      expect(row!.key_hash).toBe(hashApiKey(key));
      expect(row!.key_hash).toMatch(/^[0-9a-f]{64}$/);
      for (const value of Object.values(row!)) expect(String(value)).not.toContain(key);
      const everywhere = await sqlRows(env().db, `select count(*)::int as n from api_keys where key_hash = '${key}' or prefix = '${key}' or name = '${key}'`);
      expect(everywhere).toEqual([{ n: 0 }]);

      const listText = await (await env().call('/v1/api-keys', { as: { role: 'admin' } })).text();
      expect(listText).toContain(apiKey.id);
      expect(listText).not.toContain(key);
      expect(listText).not.toContain(hashApiKey(key));
      expect(listText).not.toMatch(/keyHash|key_hash/);

      const me = await json(await env().call('/v1/me', { as: { apiKey: key } }));
      expect(me.apiKey).toMatchObject({ id: apiKey.id, role: 'supervisor' });
    });

    it('a revoked key is 401 at once; revoking again keeps it revoked', async () => {
      const { key, apiKey } = await json(await env().call('/v1/api-keys', { as: { apiKey: env().a.apiKey.key }, json: { name: 'to revoke', role: 'agent' } }), 201);
      expect((await env().call('/v1/kb/articles', { as: { apiKey: key } })).status).toBe(200);
      const revoked = await json(await env().call(`/v1/api-keys/${apiKey.id}`, { method: 'DELETE', as: { role: 'admin' } }));
      expect(revoked.revokedAt).toEqual(expect.any(String));
      const p = await expectProblem(await env().call('/v1/kb/articles', { as: { apiKey: key } }), 401);
      expect(p.detail).toMatch(/invalid or revoked/);
      const again = await json(await env().call(`/v1/api-keys/${apiKey.id}`, { method: 'DELETE', as: { role: 'admin' } }));
      expect(again.revokedAt).toBe(revoked.revokedAt);
      await expectProblem(await env().call('/v1/me', { as: { apiKey: key } }), 401);
    });

    it("a key for a user cannot have more than the user's role; unknown users are refused", async () => {
      const agent = env().a.users.agent.user;
      const p = await expectProblem(await env().call('/v1/api-keys', { as: { role: 'admin' }, json: { name: 'escalate', role: 'admin', userId: agent.id } }), 400);
      expect(p.errors?.map((e) => e.path)).toEqual(['role']);
      await expectProblem(await env().call('/v1/api-keys', { as: { role: 'admin' }, json: { name: 'other tenant', role: 'agent', userId: env().b.users.agent.user.id } }), 404);
      const ok = await json(await env().call('/v1/api-keys', { as: { role: 'admin' }, json: { name: 'mine', role: 'agent', userId: agent.id } }), 201);
      const me = await json(await env().call('/v1/me', { as: { apiKey: ok.key } }));
      expect(me.user).toMatchObject({ id: agent.id, role: 'agent' });
    });
  });
});
