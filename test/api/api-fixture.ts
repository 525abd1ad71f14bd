/**
 * Real ApiDeps for the API integration tests: PostgreSQL (PGlite in memory, or a fresh database on the
 * run's PostgreSQL server), migrations applied, ClickHouse through embedded chDB, a real Redis with a
 * BullMQ prefix of the suite's own, JobQueues, config from loadConfig and a silent logger. Each suite
 * gets two tenants with a user of every role (password + session) and an admin API key each.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject } from 'vitest';
import type { Redis } from 'ioredis';
import { createApiApp, type ApiApp, type ApiDeps } from '@cc/api';
import { createLogger, hashPassword, loadConfig, type Config, type Role } from '@cc/core';
import { JobQueues, createRedis } from '@cc/queue';
import { openChdbStore, type AnalyticsStore } from '@cc/store/clickhouse';
import {
  createApiKey,
  createDatabase,
  createSession,
  createTenant,
  createUser,
  migrate,
  schema,
  type Database,
  type DatabaseDriver,
  type DatabaseHandle,
  type Tenant,
  type User,
} from '@cc/store/postgres';
import { createDatabase as createServerDatabase } from '../support/postgres-server.ts';
import { ConnectorTokens } from '@cc/voice';

const voiceTokens = new ConnectorTokens(randomBytes(32));

export const DRIVERS: DatabaseDriver[] = ['pglite', 'postgres'];
export const ROLES: Role[] = ['admin', 'supervisor', 'reviewer', 'agent'];
export const PASSWORD = 'correct horse battery staple';
export const SETUP_TIMEOUT_MS = 60_000;

// ---------------------------------------------------------------------------------------------------
// chDB: libchdb binds ONE data directory per process, so every suite of this worker shares it (kept
// on globalThis in case the module is evaluated twice in one process) and gets a database of its own.

const CHDB_DIR = Symbol.for('cc.test.api.chdbDir');
type ChdbGlobal = typeof globalThis & { [CHDB_DIR]?: string };

function chdbDir(): string {
  const g = globalThis as ChdbGlobal;
  if (!g[CHDB_DIR]) {
    const dir = mkdtempSync(join(tmpdir(), 'cc-api-chdb-'));
    g[CHDB_DIR] = dir;
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  }
  return join(g[CHDB_DIR], 'chdb');
}

/** An analytics store with a database of its own in this process's chDB directory. */
export function openAnalytics(database: string): Promise<AnalyticsStore> {
  return openChdbStore({ path: chdbDir(), database });
}

// ---------------------------------------------------------------------------------------------------

/** A fresh migrated database: in-memory PGlite, or a new database on the test run's server. */
export async function openDatabase(driver: DatabaseDriver, name: string): Promise<{ handle: DatabaseHandle; url: string | undefined }> {
  if (driver === 'pglite') {
    const handle = await createDatabase({ DATA_DIR: 'unused' }, { inMemory: true });
    await migrate(handle);
    return { handle, url: undefined };
  }
  const url = await createServerDatabase(inject('databaseUrl'), name);
  const handle = await createDatabase({ DATABASE_URL: url, DATA_DIR: 'unused' }, { maxConnections: 5 });
  await migrate(handle);
  return { handle, url };
}

/** Rows of a raw SQL statement on either driver (PGlite answers `{ rows }`, postgres.js an array). */
export async function sqlRows<T = Record<string, unknown>>(db: Database, statement: string): Promise<T[]> {
  const result: unknown = await db.execute(statement);
  return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];
}

/** A loopback port nothing listens on. */
export async function closedPort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

// ---------------------------------------------------------------------------------------------------

export interface TestUser {
  user: User;
  email: string;
  password: string;
  /** A session of this user, as a Cookie header value. */
  cookie: string;
}

export interface TestTenant {
  tenant: Tenant;
  users: Record<Role, TestUser>;
  /** An admin API key of the tenant (not bound to a user). */
  apiKey: { key: string; id: string };
}

/** Who makes a request: a role of a tenant (session cookie), a raw cookie, an API key, or nobody. */
export type As = { tenant?: 'a' | 'b'; role: Role } | { cookie: string } | { apiKey: string } | { authorization: string } | null;

export interface CallInit {
  method?: string;
  as?: As;
  /** Sent as JSON with content-type application/json. */
  json?: unknown;
  body?: string;
  headers?: Record<string, string>;
}

export interface ApiTestEnv {
  driver: DatabaseDriver;
  /** Random per suite: emails, rate-limit client ids and the BullMQ prefix contain it. */
  suiteId: string;
  config: Config;
  deps: ApiDeps;
  api: ApiApp;
  handle: DatabaseHandle;
  db: Database;
  redis: Redis;
  queues: JobQueues;
  analytics: AnalyticsStore;
  a: TestTenant;
  b: TestTenant;
  /** The client id sign-in rate limits key on (x-forwarded-for), unique to the suite. */
  clientId: string;
  /** app.request with credentials and JSON made easy. `path` may be a full URL. */
  call(path: string, init?: CallInit): Promise<Response>;
  /** A new session of a tenant's role, as a Cookie header (for tests that end sessions). */
  freshCookie(tenant: 'a' | 'b', role: Role): Promise<string>;
  close(): Promise<void>;
}

export interface ApiEnvOptions {
  /** Extra config (environment variables as strings). */
  env?: Record<string, string>;
}

async function seedTenant(db: Database, slug: string, suiteId: string): Promise<TestTenant> {
  const tenant = await createTenant(db, { slug, name: `Tenant ${slug.toUpperCase()}` });
  const users = {} as Record<Role, TestUser>;
  await Promise.all(
    ROLES.map(async (role) => {
      const email = `${role}@${slug}-${suiteId}.example.com`;
      const user = await createUser(db, tenant.id, { email, name: `${role} of ${slug}`, role });
      const session = await createSession(db, tenant.id, { userId: user.id, ttlSeconds: 3600 });
      users[role] = { user, email, password: PASSWORD, cookie: `cc_session=${session.token}` };
    }),
  );
  const { key, apiKey } = await createApiKey(db, tenant.id, { name: `${slug} service key`, role: 'admin' });
  return { tenant, users, apiKey: { key, id: apiKey.id } };
}

export function authHeaders(env: Pick<ApiTestEnv, 'a' | 'b'>, as: As | undefined): Record<string, string> {
  if (!as) return {};
  if ('role' in as) return { cookie: env[as.tenant ?? 'a'].users[as.role].cookie };
  if ('cookie' in as) return { cookie: as.cookie };
  if ('apiKey' in as) return { authorization: `Bearer ${as.apiKey}` };
  return { authorization: as.authorization };
}

export async function createApiEnv(driver: DatabaseDriver, label: string, opts: ApiEnvOptions = {}): Promise<ApiTestEnv> {
  const suiteId = randomBytes(4).toString('hex');
  const name = `api_${label}_${suiteId}`.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  const closers: (() => Promise<unknown>)[] = [];
  const close = async () => {
    for (const c of closers.reverse()) await c().catch(() => {});
  };
  try {
    const redisUrl = inject('redisUrl');
    const { handle, url } = await openDatabase(driver, name);
    closers.push(() => handle.close());
    const config = loadConfig({ REDIS_URL: redisUrl, LOG_LEVEL: 'silent', ...(url ? { DATABASE_URL: url } : {}), ...opts.env });
    const analytics = await openAnalytics(name);
    closers.push(async () => {
      await analytics.command(`DROP DATABASE IF EXISTS ${name}`).catch(() => {});
      await analytics.close();
    });
    const redis = createRedis(redisUrl);
    closers.push(async () => {
      // This Redis serves the whole test run: remove only what this suite wrote.
      const keys = await redis.keys(`*${suiteId}*`);
      if (keys.length > 0) await redis.del(...keys);
      redis.disconnect();
    });
    const queues = new JobQueues(redis, `cc-test-${suiteId}`);
    closers.push(async () => {
      await Promise.all(Object.values(queues.queues).map((q) => q.obliterate({ force: true })));
      await queues.close();
    });
    const a = await seedTenant(handle.db, 'tenant-a', suiteId);
    const b = await seedTenant(handle.db, 'tenant-b', suiteId);
    // Every seeded user gets PASSWORD through one scrypt hash (hashing is the slow part of seeding).
    await handle.db.update(schema.users).set({ passwordHash: await hashPassword(PASSWORD) });
    const deps: ApiDeps = {
      config,
      logger: createLogger({ level: 'silent' }),
      db: handle,
      analytics,
      redis,
      queues,
      secretKey: randomBytes(32).toString('hex'),
      // Real connector tokens; the voice runtime itself is exercised by the voice and e2e tests.
      voice: { url: 'http://127.0.0.1:8081', issueCallToken: (tenantId: string) => voiceTokens.issue({ kind: 'generic', tenantId }, 120) },
    };
    const api = createApiApp(deps);
    const clientId = `test-client-${suiteId}`;
    const env: ApiTestEnv = {
      driver,
      suiteId,
      config,
      deps,
      api,
      handle,
      db: handle.db,
      redis,
      queues,
      analytics,
      a,
      b,
      clientId,
      call: async (path, init = {}) => {
        const headers: Record<string, string> = { 'x-forwarded-for': clientId, ...authHeaders(env, init.as), ...init.headers };
        let body = init.body;
        if (init.json !== undefined) {
          body = JSON.stringify(init.json);
          headers['content-type'] ??= 'application/json';
        }
        return api.app.request(path, { method: init.method ?? (body === undefined ? 'GET' : 'POST'), headers, ...(body !== undefined ? { body } : {}) });
      },
      freshCookie: async (tenant, role) => {
        const t = env[tenant];
        const session = await createSession(handle.db, t.tenant.id, { userId: t.users[role].user.id, ttlSeconds: 3600 });
        return `cc_session=${session.token}`;
      },
      close,
    };
    return env;
  } catch (err) {
    await close();
    throw err;
  }
}

/**
 * `describe.each` over both Postgres drivers, each with its own environment built in beforeAll and
 * torn down in afterAll. Tests call `env()` to reach it.
 */
export function describeApi(title: string, cases: (env: () => ApiTestEnv, driver: DatabaseDriver) => void, opts: ApiEnvOptions = {}): void {
  describe.each(DRIVERS)(`${title} [%s]`, (driver) => {
    let current: ApiTestEnv | undefined;
    beforeAll(async () => {
      current = await createApiEnv(driver, title.slice(0, 20), opts);
    }, SETUP_TIMEOUT_MS);
    afterAll(async () => {
      await current?.close();
    }, SETUP_TIMEOUT_MS);
    cases(() => {
      if (!current) throw new Error('API environment not ready (beforeAll failed)');
      return current;
    }, driver);
  });
}

// ---------------------------------------------------------------------------------------------------

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  errors?: { path: string; message: string }[];
}

/** A stack frame or a source path in a body means internals leaked to the client. */
export function expectNoInternals(text: string): void {
  expect(text).not.toMatch(/\bat .+:\d+:\d+/);
  expect(text).not.toMatch(/"stack"|node_modules|\/src\/.+\.ts/);
}

/** The response is an RFC 9457 problem document with `status`; returns it. */
export async function expectProblem(res: Response, status: number): Promise<ProblemBody> {
  const text = await res.text();
  expect(res.status, text).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  const body = JSON.parse(text) as ProblemBody;
  expect(body).toMatchObject({ status, type: expect.stringMatching(/^urn:cc:problem:[a-z_]+$/), title: expect.any(String), detail: expect.any(String) });
  expect(body.title.length).toBeGreaterThan(0);
  expect(body.detail.length).toBeGreaterThan(0);
  expectNoInternals(text);
  return body;
}

export async function json<T = any>(res: Response, status = 200): Promise<T> {
  const text = await res.text();
  expect(res.status, text).toBe(status);
  return JSON.parse(text) as T;
}

export const uuid = () => randomUUID();
