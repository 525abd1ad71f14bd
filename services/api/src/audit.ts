import type { Context } from 'hono';
import { appendAudit, type Database } from '@cc/store/postgres';
import type { ApiEnv } from './deps.ts';

/** Every change made through the API is written to the append-only audit log, with who made it. */
export async function audit(
  c: Context<ApiEnv>,
  db: Database,
  entry: { action: string; entityType: string; entityId?: string; details?: Record<string, unknown> },
): Promise<void> {
  const p = c.get('principal');
  await appendAudit(db, p.tenantId, {
    actorType: p.actorType,
    actorId: p.actorId,
    action: entry.action,
    entityType: entry.entityType,
    ...(entry.entityId ? { entityId: entry.entityId } : {}),
    details: { ...entry.details, requestId: c.get('requestId') },
  });
}
