import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { StoreUnavailableError } from '@cc/core';
import { createDatabase, type DatabaseConfig } from './database.ts';
import { migrate } from './migrate.ts';
import { createTenant, getTenantBySlug } from './repos/tenants.ts';

async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as { port: number }).port;
  await new Promise((resolve) => srv.close(resolve));
  return port;
}

/** Accepts TCP connections and never answers: the worst case for a client without a timeout. */
async function silentServer(): Promise<{ server: Server; port: number }> {
  const server = createServer(() => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as { port: number }).port };
}

async function expectUnavailableWithin(config: DatabaseConfig, ms: number, connectTimeoutSeconds?: number): Promise<StoreUnavailableError> {
  const started = Date.now();
  const err = await createDatabase(config, connectTimeoutSeconds ? { connectTimeoutSeconds } : {}).then(
    async (h) => {
      await h.close();
      return undefined;
    },
    (e: unknown) => e,
  );
  expect(Date.now() - started).toBeLessThan(ms);
  expect(err).toBeInstanceOf(StoreUnavailableError);
  return err as StoreUnavailableError;
}

describe('createDatabase', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('fails fast with StoreUnavailableError when nothing listens at DATABASE_URL, without leaking the password', async () => {
    const url = `postgres://cc:s3cret@127.0.0.1:${await closedPort()}/cc`;
    const err = await expectUnavailableWithin({ DATABASE_URL: url, DATA_DIR: 'unused' }, 3_000);
    expect(err.message).toMatch(/^postgres unavailable: cannot connect to postgres:\/\/cc:\*\*\*@127\.0\.0\.1:\d+\/cc/);
    expect(err.message).not.toContain('s3cret');
  });

  it('gives up on a server that accepts but never answers after the connect timeout', async () => {
    const { server, port } = await silentServer();
    try {
      await expectUnavailableWithin({ DATABASE_URL: `postgres://cc@127.0.0.1:${port}/cc`, DATA_DIR: 'unused' }, 4_000, 1);
    } finally {
      server.close();
    }
  });

  it('keeps PGlite data under DATA_DIR/pglite across restarts', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'cc-pglite-'));
    dirs.push(dataDir);
    const first = await createDatabase({ DATA_DIR: dataDir });
    expect(first.driver).toBe('pglite');
    await migrate(first);
    await createTenant(first.db, { slug: 'persisted', name: 'Persisted' });
    await first.close();

    const second = await createDatabase({ DATA_DIR: dataDir });
    try {
      await second.ping();
      expect(await migrate(second)).toEqual([]);
      expect((await getTenantBySlug(second.db, 'persisted'))?.name).toBe('Persisted');
    } finally {
      await second.close();
    }
  }, 30_000);

  it('reports a closed PGlite handle as unavailable on ping', async () => {
    const handle = await createDatabase({ DATA_DIR: 'unused' }, { inMemory: true });
    await handle.ping();
    await handle.close();
    await expect(handle.ping()).rejects.toBeInstanceOf(StoreUnavailableError);
  }, 30_000);
});
