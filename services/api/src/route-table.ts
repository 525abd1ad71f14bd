import type { Hono, MiddlewareHandler } from 'hono';
import { ForbiddenError, type Role } from '@cc/core';
import type { ApiEnv } from './deps.ts';

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** Every API route with the roles allowed to call it: the authorization matrix is generated from this. */
export interface RouteSpec {
  method: Method;
  path: string;
  roles: readonly Role[] | 'public' | 'authenticated';
  summary: string;
}

export const ALL_ROLES: readonly Role[] = ['admin', 'supervisor', 'reviewer', 'agent'];
export const MANAGERS: readonly Role[] = ['admin', 'supervisor'];

export function requireRole(roles: readonly Role[]): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    const principal = c.get('principal');
    if (!roles.includes(principal.role)) {
      throw new ForbiddenError(`${c.req.method} ${c.req.routePath} needs role ${roles.join(' or ')}; you are ${principal.role}`, { role: principal.role });
    }
    await next();
  };
}

/** Registers routes on a Hono app and records each one's spec. */
export class Routes {
  readonly specs: RouteSpec[] = [];
  constructor(readonly app: Hono<ApiEnv>) {}

  add(spec: RouteSpec, handler: MiddlewareHandler<ApiEnv>): this {
    this.specs.push(spec);
    const guards = Array.isArray(spec.roles) ? [requireRole(spec.roles as readonly Role[])] : [];
    this.app.on([spec.method], [spec.path], ...guards, handler);
    return this;
  }
}
