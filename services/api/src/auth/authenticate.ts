import type { MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import { UnauthenticatedError, hashApiKey } from '@cc/core';
import { findActiveApiKeyByHash, findValidSession } from '@cc/store/postgres';
import type { ApiDeps, ApiEnv, Principal } from '../deps.ts';

export const SESSION_COOKIE = 'cc_session';

async function principalFromApiKey(deps: ApiDeps, key: string): Promise<Principal | null> {
  const apiKey = await findActiveApiKeyByHash(deps.db.db, hashApiKey(key));
  if (!apiKey) return null;
  return { tenantId: apiKey.tenantId, role: apiKey.role, actorType: 'api_key', actorId: apiKey.id, userId: apiKey.userId };
}

async function principalFromSession(deps: ApiDeps, token: string): Promise<Principal | null> {
  const session = await findValidSession(deps.db.db, token);
  if (!session) return null;
  return { tenantId: session.tenantId, role: session.role, actorType: 'user', actorId: session.userId, userId: session.userId };
}

/**
 * Resolves the caller from `Authorization: Bearer <api key>` or the session cookie. A credential that
 * is present but wrong is refused outright rather than falling back to the other one.
 */
export function authenticate(deps: ApiDeps): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    const header = c.req.header('authorization');
    let principal: Principal | null = null;
    if (header !== undefined) {
      const match = /^Bearer\s+(\S+)$/i.exec(header);
      if (!match) throw new UnauthenticatedError('Authorization header must be "Bearer <api key>"');
      principal = await principalFromApiKey(deps, match[1]!);
      if (!principal) throw new UnauthenticatedError('API key is invalid or revoked');
    } else {
      const token = getCookie(c, SESSION_COOKIE);
      if (token) {
        principal = await principalFromSession(deps, token);
        if (!principal) throw new UnauthenticatedError('Session expired or signed out: sign in again');
      }
    }
    if (!principal) throw new UnauthenticatedError();
    c.set('principal', principal);
    await next();
  };
}
