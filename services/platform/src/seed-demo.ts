import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomToken, type Logger } from '@cc/core';
import { buildDemoTenant } from '@cc/seed';
import {
  appendAudit,
  createAgentVersion,
  createKbArticle,
  createTenant,
  createUser,
  getTenantBySlug,
  insertCustomers,
  publishAgentVersion,
  type DatabaseHandle,
} from '@cc/store/postgres';

export interface DemoCredentials {
  tenant: string;
  note: string;
  users: { email: string; role: string; password: string }[];
}

function credentialsFile(dataDir: string) {
  return join(dataDir, 'demo-credentials.json');
}

/**
 * Seed the demo tenant once, in one transaction: users for each role with generated passwords (kept
 * in DATA_DIR/demo-credentials.json, mode 0600, for local use only), the published demo agent
 * version, knowledge-base articles and CRM customers.
 */
export async function seedDemoTenant(handle: DatabaseHandle, dataDir: string, logger: Logger): Promise<DemoCredentials | null> {
  const file = credentialsFile(dataDir);
  if (await getTenantBySlug(handle.db, 'demo')) {
    return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as DemoCredentials) : null;
  }
  const demo = buildDemoTenant({ asOf: new Date() });
  const credentials: DemoCredentials = {
    tenant: demo.tenant.slug,
    note: 'Local use only: generated on first start. Delete the demo tenant or DATA_DIR to regenerate.',
    users: demo.users.map((u) => ({ email: u.email, role: u.role, password: randomToken(12) })),
  };
  await handle.db.transaction(async (tx) => {
    const tenant = await createTenant(tx, demo.tenant);
    const userIds = new Map<string, string>();
    for (const [i, u] of demo.users.entries()) {
      const user = await createUser(tx, tenant.id, { ...u, password: credentials.users[i]!.password });
      userIds.set(u.role, user.id);
    }
    const { status: _status, flowsHash: _fh, intentsHash: _ih, ...version } = demo.agentVersion;
    const draft = await createAgentVersion(tx, tenant.id, { ...version, createdBy: userIds.get('admin') });
    await publishAgentVersion(tx, tenant.id, draft.id);
    for (const a of demo.kbArticles) {
      const owner = userIds.get(a.ownerRole);
      await createKbArticle(tx, tenant.id, {
        slug: a.slug,
        title: a.title,
        topic: a.topic,
        body: a.body,
        status: a.status,
        lastReviewedAt: a.lastReviewedAt,
        metadata: { ...a.metadata, contentHash: a.contentHash },
        ...(owner ? { ownerUserId: owner, editedBy: owner } : {}),
      });
    }
    await insertCustomers(tx, tenant.id, demo.customers);
    await appendAudit(tx, tenant.id, { actorType: 'system', action: 'tenant.seeded', entityType: 'tenant', entityId: tenant.id, details: { articles: demo.kbArticles.length, customers: demo.customers.length } });
  });
  writeFileSync(file, JSON.stringify(credentials, null, 2) + '\n', { mode: 0o600 });
  chmodSync(file, 0o600);
  logger.info({ articles: demo.kbArticles.length, customers: demo.customers.length }, 'demo tenant seeded');
  return credentials;
}
