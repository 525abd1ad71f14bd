import { Hono, type Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { z } from 'zod';
import { UnauthenticatedError, ValidationError, verifyPassword } from '@cc/core';
import { createSession, deleteSession, findUsersForSignIn, getTenant, getTenantBySlug, getUser } from '@cc/store/postgres';
import { SESSION_COOKIE } from '../auth/authenticate.ts';
import { clearRateLimit, hitRateLimit, releaseRateLimit } from '../rate-limit.ts';
import { jsonBody } from '../request.ts';
import type { ApiDeps, ApiEnv } from '../deps.ts';
import type { Routes } from '../route-table.ts';

const SignIn = z.object({
  email: z.string().trim().toLowerCase().email().max(320),
  password: z.string().min(1).max(512),
  /** The organisation's slug; optional when the email belongs to one tenant only. */
  tenant: z.string().trim().toLowerCase().max(64).optional(),
});

const SESSION_TTL_SECONDS = 8 * 3600;
const ATTEMPTS_PER_ACCOUNT = 5;
const ATTEMPTS_PER_CLIENT = 30;
const WINDOW_SECONDS = 15 * 60;
/** Compared against when there is no account (or no password), so both cost one scrypt like a real check. */
const NO_PASSWORD_HASH = 'scrypt$16384$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';

function cookieSecure(deps: ApiDeps, c: Context): boolean {
  if (deps.config.COOKIE_SECURE !== 'auto') return deps.config.COOKIE_SECURE === 'true';
  return !['127.0.0.1', 'localhost', '[::1]'].includes(new URL(c.req.url).hostname);
}

function clientAddress(c: Context): string {
  return c.req.header('x-forwarded-for')?.split(',')[0]?.trim() || 'direct';
}

async function userView(deps: ApiDeps, tenantId: string, userId: string) {
  const [user, tenant] = await Promise.all([getUser(deps.db.db, tenantId, userId), getTenant(deps.db.db, tenantId)]);
  if (!user || !tenant) throw new UnauthenticatedError('Your account no longer exists');
  return { id: user.id, email: user.email, name: user.name, role: user.role, tenantId, tenantName: tenant.name, tenantSlug: tenant.slug };
}

/** Sign-in is public and rate-limited per account and per client; the rest needs a principal. */
export function publicAuthRoutes(deps: ApiDeps) {
  const app = new Hono<ApiEnv>();
  app.post('/v1/auth/sign-in', async (c) => {
    const body = await jsonBody(c, SignIn);
    const client = clientAddress(c);
    await hitRateLimit(deps.redis, `signin:client:${client}`, ATTEMPTS_PER_CLIENT, WINDOW_SECONDS, 'sign-in attempts from this address');
    await hitRateLimit(deps.redis, `signin:account:${body.email}`, ATTEMPTS_PER_ACCOUNT, WINDOW_SECONDS, 'sign-in attempts for this account');
    let candidates = await findUsersForSignIn(deps.db.db, body.email);
    if (body.tenant) {
      const tenant = await getTenantBySlug(deps.db.db, body.tenant);
      candidates = candidates.filter((u) => u.tenantId === tenant?.id);
    }
    // Compare a hash even when the user is unknown, so timing does not reveal which emails exist. Only
    // accounts whose password matches count, so "several organisations" is never said to a guesser.
    const matching: typeof candidates = [];
    for (const candidate of candidates.length > 0 ? candidates : [undefined]) {
      const ok = await verifyPassword(body.password, candidate?.passwordHash ?? NO_PASSWORD_HASH);
      if (candidate && ok && !candidate.disabledAt) matching.push(candidate);
    }
    if (matching.length > 1) throw new ValidationError('sign-in', [{ path: 'tenant', message: 'this email belongs to several organisations: give the organisation' }]);
    const user = matching[0];
    if (!user) throw new UnauthenticatedError('Wrong email or password');
    await clearRateLimit(deps.redis, `signin:account:${body.email}`);
    // A successful sign-in does not count against the client: a call centre signs in many agents from one address.
    await releaseRateLimit(deps.redis, `signin:client:${client}`);
    const session = await createSession(deps.db.db, user.tenantId, { userId: user.id, ttlSeconds: SESSION_TTL_SECONDS });
    setCookie(c, SESSION_COOKIE, session.token, { httpOnly: true, sameSite: 'Lax', secure: cookieSecure(deps, c), path: '/', expires: session.expiresAt });
    return c.json({ user: await userView(deps, user.tenantId, user.id) });
  });
  return app;
}

export function sessionRoutes(deps: ApiDeps, routes: Routes) {
  routes.add({ method: 'POST', path: '/v1/auth/sign-out', roles: 'authenticated', summary: 'End the session' }, async (c) => {
    const token = getCookie(c, SESSION_COOKIE);
    if (token) await deleteSession(deps.db.db, c.get('principal').tenantId, token);
    deleteCookie(c, SESSION_COOKIE, { path: '/' });
    return c.body(null, 204);
  });
  routes.add({ method: 'GET', path: '/v1/me', roles: 'authenticated', summary: 'The signed-in user or API key' }, async (c) => {
    const p = c.get('principal');
    if (!p.userId) {
      const tenant = await getTenant(deps.db.db, p.tenantId);
      return c.json({ user: null, apiKey: { id: p.actorId, role: p.role, tenantId: p.tenantId, tenantName: tenant?.name ?? '' } });
    }
    return c.json({ user: { ...(await userView(deps, p.tenantId, p.userId)), role: p.role } });
  });
}
