import { sql } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { ConflictError, NotFoundError, ValidationError, hashApiKey, sha256Hex, verifyPassword } from '@cc/core';
import { queryRows } from '../database.ts';
import { describeOnBothDrivers } from '../test-support.ts';
import { createApiKey, findActiveApiKeyByHash, listApiKeys, revokeApiKey } from './api-keys.ts';
import { createSession, deleteExpiredSessions, deleteSession, findValidSession } from './sessions.ts';
import { createTenant, getTenant, getTenantBySlug } from './tenants.ts';
import { createUser, disableUser, findUserByEmail, getUser, listUsers } from './users.ts';

describeOnBothDrivers('tenants, users, API keys, sessions', ({ db, tenantA, tenantB }) => {
  it('creates tenants with unique slugs and finds them', async () => {
    const t = await createTenant(db(), { slug: 'Acme-Co', name: 'Acme' });
    expect(t.slug).toBe('acme-co');
    expect((await getTenantBySlug(db(), 'acme-co'))?.id).toBe(t.id);
    expect(await getTenant(db(), t.id)).toMatchObject({ name: 'Acme' });
    expect(await getTenantBySlug(db(), 'nobody')).toBeNull();
    await expect(createTenant(db(), { slug: 'acme-co', name: 'Again' })).rejects.toBeInstanceOf(ConflictError);
    await expect(createTenant(db(), { slug: 'Not a slug!', name: 'x' })).rejects.toBeInstanceOf(ValidationError);
  });

  it('creates users with a scrypt hash; email is unique per tenant, case-insensitively', async () => {
    const a = tenantA().id;
    const user = await createUser(db(), a, { email: 'Ana@Example.com', name: 'Ana', role: 'admin', password: 'correct horse' });
    expect(user.email).toBe('ana@example.com');
    expect(user).not.toHaveProperty('passwordHash');
    const found = await findUserByEmail(db(), a, 'ANA@example.com');
    expect(found?.id).toBe(user.id);
    expect(await verifyPassword('correct horse', found!.passwordHash!)).toBe(true);
    await expect(createUser(db(), a, { email: 'ana@example.COM', name: 'Dup', role: 'agent' })).rejects.toBeInstanceOf(ConflictError);
    // The same address in another tenant is another person.
    await createUser(db(), tenantB().id, { email: 'ana@example.com', name: 'Other Ana', role: 'agent' });
    expect((await listUsers(db(), a)).map((u) => u.email)).toEqual(['ana@example.com']);
    await expect(createUser(db(), a, { email: 'short@example.com', name: 'S', role: 'agent', password: 'short' })).rejects.toBeInstanceOf(ValidationError);
  });

  it('keeps users of one tenant invisible to another', async () => {
    const user = await createUser(db(), tenantA().id, { email: 'only-a@example.com', name: 'A', role: 'reviewer' });
    expect(await findUserByEmail(db(), tenantB().id, 'only-a@example.com')).toBeNull();
    expect(await getUser(db(), tenantB().id, user.id)).toBeNull();
    expect((await listUsers(db(), tenantB().id)).some((u) => u.id === user.id)).toBe(false);
  });

  it('stores only the sha256 of an API key and authenticates by it', async () => {
    const a = tenantA().id;
    const { key, apiKey } = await createApiKey(db(), a, { name: 'ci', role: 'supervisor' });
    expect(key).toMatch(/^ccak_/);
    expect(key.startsWith(apiKey.prefix)).toBe(true);
    expect(apiKey).not.toHaveProperty('keyHash');
    const stored = await queryRows<{ key_hash: string }>(db(), sql`select key_hash from api_keys where id = ${apiKey.id}`);
    expect(stored[0]?.key_hash).toBe(sha256Hex(key));
    const everything = JSON.stringify(await queryRows(db(), sql`select * from api_keys`));
    expect(everything).not.toContain(key);

    const now = new Date();
    const active = await findActiveApiKeyByHash(db(), hashApiKey(key), now);
    expect(active).toMatchObject({ id: apiKey.id, tenantId: a, role: 'supervisor' });
    expect(active?.lastUsedAt?.getTime()).toBe(now.getTime());
    expect(await findActiveApiKeyByHash(db(), hashApiKey('ccak_wrong'))).toBeNull();
    expect((await listApiKeys(db(), a)).map((k) => k.id)).toContain(apiKey.id);
  });

  it('revokes API keys only within their tenant; a revoked key no longer authenticates', async () => {
    const { key, apiKey } = await createApiKey(db(), tenantA().id, { name: 'to-revoke', role: 'agent' });
    await expect(revokeApiKey(db(), tenantB().id, apiKey.id)).rejects.toBeInstanceOf(NotFoundError);
    expect(await findActiveApiKeyByHash(db(), hashApiKey(key))).not.toBeNull();
    const revoked = await revokeApiKey(db(), tenantA().id, apiKey.id);
    expect(revoked.revokedAt).toBeInstanceOf(Date);
    expect((await revokeApiKey(db(), tenantA().id, apiKey.id)).revokedAt).toEqual(revoked.revokedAt);
    expect(await findActiveApiKeyByHash(db(), hashApiKey(key))).toBeNull();
    expect((await listApiKeys(db(), tenantB().id)).some((k) => k.id === apiKey.id)).toBe(false);
  });

  it('refuses a user key with more rights than its user, or for a user of another tenant', async () => {
    const agent = await createUser(db(), tenantA().id, { email: 'agent-key@example.com', name: 'Ag', role: 'agent' });
    await expect(createApiKey(db(), tenantA().id, { name: 'x', role: 'admin', userId: agent.id })).rejects.toBeInstanceOf(ValidationError);
    await expect(createApiKey(db(), tenantB().id, { name: 'x', role: 'agent', userId: agent.id })).rejects.toBeInstanceOf(NotFoundError);
    const { apiKey } = await createApiKey(db(), tenantA().id, { name: 'mine', role: 'agent', userId: agent.id });
    expect(apiKey.userId).toBe(agent.id);
  });

  it('creates sessions keyed by the token hash, finds valid ones, deletes them per tenant', async () => {
    const user = await createUser(db(), tenantA().id, { email: 'sess@example.com', name: 'Sess', role: 'supervisor' });
    const { token, expiresAt } = await createSession(db(), tenantA().id, { userId: user.id, ttlSeconds: 3600 });
    const ids = await queryRows<{ id: string }>(db(), sql`select id from sessions where user_id = ${user.id}`);
    expect(ids.map((r) => r.id)).toEqual([sha256Hex(token)]);

    expect(await findValidSession(db(), token)).toMatchObject({ userId: user.id, tenantId: tenantA().id, role: 'supervisor', expiresAt });
    expect(await findValidSession(db(), token, new Date(expiresAt.getTime() + 1))).toBeNull();
    expect(await findValidSession(db(), 'not-a-token')).toBeNull();

    await expect(createSession(db(), tenantB().id, { userId: user.id })).rejects.toBeInstanceOf(NotFoundError);
    expect(await deleteSession(db(), tenantB().id, token)).toBe(false);
    expect(await findValidSession(db(), token)).not.toBeNull();
    expect(await deleteSession(db(), tenantA().id, token)).toBe(true);
    expect(await findValidSession(db(), token)).toBeNull();
  });

  it('purges expired sessions', async () => {
    const user = await createUser(db(), tenantA().id, { email: 'old@example.com', name: 'Old', role: 'agent' });
    const past = new Date(Date.now() - 3 * 3600_000);
    await createSession(db(), tenantA().id, { userId: user.id, ttlSeconds: 3600 }, past);
    expect(await deleteExpiredSessions(db())).toBeGreaterThanOrEqual(1);
  });

  it('shuts a disabled user out of sessions and API keys', async () => {
    const user = await createUser(db(), tenantA().id, { email: 'leaver@example.com', name: 'Leaver', role: 'admin' });
    const { token } = await createSession(db(), tenantA().id, { userId: user.id });
    const { key } = await createApiKey(db(), tenantA().id, { name: 'leaver', role: 'admin', userId: user.id });
    await expect(disableUser(db(), tenantB().id, user.id)).rejects.toBeInstanceOf(NotFoundError);
    expect((await disableUser(db(), tenantA().id, user.id)).disabledAt).toBeInstanceOf(Date);
    expect(await findValidSession(db(), token)).toBeNull();
    expect(await findActiveApiKeyByHash(db(), hashApiKey(key))).toBeNull();
    await expect(createSession(db(), tenantA().id, { userId: user.id })).rejects.toBeInstanceOf(NotFoundError);
  });
});
