import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, verifyPassword } from '@cc/core';
import { createDatabase, findUserByEmail, getTenantBySlug, listAgentVersions, listKbArticles, migrate, type DatabaseHandle } from '@cc/store/postgres';
import { seedDemoTenant } from './seed-demo.ts';

describe('seedDemoTenant', () => {
  let handle: DatabaseHandle;
  const dataDir = mkdtempSync(join(tmpdir(), 'seed-'));
  const logger = createLogger({ level: 'silent' });
  beforeAll(async () => {
    handle = await createDatabase({ DATA_DIR: dataDir }, { inMemory: true });
    await migrate(handle);
  });
  afterAll(() => handle.close());

  it('seeds once, with hashed generated passwords kept in a 0600 file, and is a no-op afterwards', async () => {
    const first = await seedDemoTenant(handle, dataDir, logger);
    expect(first?.users.map((u) => u.role).sort()).toEqual(['admin', 'agent', 'reviewer', 'supervisor']);
    expect(statSync(join(dataDir, 'demo-credentials.json')).mode & 0o777).toBe(0o600);
    const tenant = (await getTenantBySlug(handle.db, 'demo'))!;
    const admin = (await findUserByEmail(handle.db, tenant.id, 'admin@demo.local'))!;
    expect(admin.passwordHash).not.toContain(first!.users[0]!.password);
    expect(await verifyPassword(first!.users.find((u) => u.role === 'admin')!.password, admin.passwordHash!)).toBe(true);

    const articles = (await listKbArticles(handle.db, tenant.id)).length;
    const again = await seedDemoTenant(handle, dataDir, logger);
    expect(again).toEqual(first);
    expect((await listKbArticles(handle.db, tenant.id)).length).toBe(articles);
    expect(await listAgentVersions(handle.db, tenant.id)).toHaveLength(1);
  });
});
