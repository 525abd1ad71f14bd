import { and, desc, eq, getTableColumns, isNull, or, lt } from 'drizzle-orm';
import { z } from 'zod';
import { Role, ValidationError, generateApiKey } from '@cc/core';
import type { Database } from '../database.ts';
import { apiKeys, users } from '../schema/index.ts';
import { Id, parseOrThrow, requireId, requireRow } from './common.ts';

/** An API key as stored and listed: the hash stays in the database. */
export type ApiKey = Omit<typeof apiKeys.$inferSelect, 'keyHash'>;

export const NewApiKey = z.object({
  name: z.string().trim().min(1).max(200),
  role: Role,
  /** The user the key acts for; omitted for a tenant-level service key. */
  userId: Id.optional(),
});
export type NewApiKey = z.input<typeof NewApiKey>;

const ROLE_RANK: Record<Role, number> = { agent: 0, reviewer: 1, supervisor: 2, admin: 3 };
const { keyHash: _omit, ...publicColumns } = getTableColumns(apiKeys);
/** last_used_at is only rewritten when older than this, so authenticating is not a write per request. */
const TOUCH_INTERVAL_MS = 60_000;

/** Returns the plain key once; only its sha256 is stored. */
export async function createApiKey(db: Database, tenantId: string, input: NewApiKey): Promise<{ key: string; apiKey: ApiKey }> {
  requireId('tenant', tenantId);
  const values = parseOrThrow(NewApiKey, input, 'API key');
  if (values.userId) {
    const [user] = await db.select({ role: users.role }).from(users).where(and(eq(users.tenantId, tenantId), eq(users.id, values.userId)));
    const owner = requireRow(user, 'user', values.userId);
    if (ROLE_RANK[values.role] > ROLE_RANK[owner.role]) {
      throw new ValidationError('API key', [{ path: 'role', message: `cannot exceed the user's role (${owner.role})` }]);
    }
  }
  const { key, hash, prefix } = generateApiKey();
  const [row] = await db
    .insert(apiKeys)
    .values({ tenantId, name: values.name, role: values.role, userId: values.userId ?? null, prefix, keyHash: hash })
    .returning(publicColumns);
  return { key, apiKey: row! };
}

export async function listApiKeys(db: Database, tenantId: string): Promise<ApiKey[]> {
  requireId('tenant', tenantId);
  return db.select(publicColumns).from(apiKeys).where(eq(apiKeys.tenantId, tenantId)).orderBy(desc(apiKeys.createdAt));
}

/**
 * Authentication: the key's hash is what establishes the tenant, so this lookup is not tenant-scoped.
 * A revoked key, or one whose user is disabled, is not found. Marks the key as used.
 */
export async function findActiveApiKeyByHash(db: Database, keyHash: string, now = new Date()): Promise<ApiKey | null> {
  const [row] = await db
    .select(publicColumns)
    .from(apiKeys)
    .leftJoin(users, eq(users.id, apiKeys.userId))
    .where(and(eq(apiKeys.keyHash, keyHash), isNull(apiKeys.revokedAt), isNull(users.disabledAt)))
    .limit(1);
  if (!row) return null;
  if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() >= TOUCH_INTERVAL_MS) {
    const stale = new Date(now.getTime() - TOUCH_INTERVAL_MS);
    await db
      .update(apiKeys)
      .set({ lastUsedAt: now })
      .where(and(eq(apiKeys.id, row.id), or(isNull(apiKeys.lastUsedAt), lt(apiKeys.lastUsedAt, stale))));
    row.lastUsedAt = now;
  }
  return row;
}

/** Idempotent: revoking a revoked key keeps its original revocation time. */
export async function revokeApiKey(db: Database, tenantId: string, apiKeyId: string, now = new Date()): Promise<ApiKey> {
  requireId('tenant', tenantId);
  requireId('API key', apiKeyId);
  const scope = and(eq(apiKeys.tenantId, tenantId), eq(apiKeys.id, apiKeyId));
  const [revoked] = await db.update(apiKeys).set({ revokedAt: now }).where(and(scope, isNull(apiKeys.revokedAt))).returning(publicColumns);
  if (revoked) return revoked;
  const [existing] = await db.select(publicColumns).from(apiKeys).where(scope);
  return requireRow(existing, 'API key', apiKeyId);
}
