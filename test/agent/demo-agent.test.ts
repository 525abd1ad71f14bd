import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, loadConfig } from '@cc/core';
import { DialogueTurnPolicy, buildAgent } from '@cc/agent';
import type { DialogueEngine } from '@cc/dialogue';
import { createDatabase, getTenantBySlug, listAgentVersions, listAudit, migrate, type DatabaseHandle } from '@cc/store/postgres';
import { seedDemoTenant } from '@cc/platform/seed-demo';
import { buildCustomers } from '@cc/seed';

/** The demo tenant's agent as the voice runtime runs it: real intent model, KB, CRM, audit, on text. */
describe('the demo agent, assembled from Postgres and models/', () => {
  let handle: DatabaseHandle;
  let engine: DialogueEngine;
  let tenantId: string;
  const logger = createLogger({ level: 'silent' });

  beforeAll(async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'agent-'));
    handle = await createDatabase({ DATA_DIR: dataDir }, { inMemory: true });
    await migrate(handle);
    await seedDemoTenant(handle, dataDir, logger);
    tenantId = (await getTenantBySlug(handle.db, 'demo'))!.id;
    const [version] = await listAgentVersions(handle.db, tenantId);
    engine = await buildAgent({ db: handle.db, config: loadConfig({}), logger }, tenantId, version!.id);
  }, 120_000);
  afterAll(() => handle?.close());

  it('starts a flow from a caller request, asking for what it needs', async () => {
    const { session, greeting } = await engine.startSession({ callId: 'call-1', tenantId });
    expect(greeting.text.length).toBeGreaterThan(0);
    const d = await session.handleTurn({ text: 'I want to transfer money to my landlord' });
    expect(d.intent).toBe('banks.transfer_money');
    expect(['ask_slot', 'confirm', 'say']).toContain(d.kind);
    expect(d.text.length).toBeGreaterThan(0);
  });

  it('answers a policy question from the knowledge base with citations', async () => {
    const { session } = await engine.startSession({ callId: 'call-2', tenantId });
    const d = await session.handleTurn({ text: 'How long do I have to return an item?' });
    expect(d.kind).toBe('answer');
    expect(d.citations?.length).toBeGreaterThan(0);
  });

  it('escalates when the caller asks for a human, with a redacted context package', async () => {
    const { session } = await engine.startSession({ callId: 'call-3', tenantId });
    await session.handleTurn({ text: 'my card number is 4111 1111 1111 1111' });
    const d = await session.handleTurn({ text: 'I want to speak to a real person' });
    expect(d.kind).toBe('escalate');
    expect(JSON.stringify(d.handoff)).not.toContain('4111 1111');
  });

  it('looks the caller up by number before the first turn', async () => {
    const customer = buildCustomers(200, 1)[0]!;
    const { session } = await engine.startSession({ callId: 'call-4', tenantId, callerAni: customer.phone });
    expect(JSON.stringify(session.toJSON())).toContain(customer.externalId);
  });

  it('drives the voice pipeline through the policy seam, keeping the session in the call state', async () => {
    const policy = new DialogueTurnPolicy(engine);
    const state: Record<string, unknown> = {};
    const ctx = { callId: 'call-5', tenantId, history: [], parameters: {}, state, signal: new AbortController().signal };
    await policy.greeting(ctx);
    expect(state.dialogue).toBeDefined();
    const reply = await policy.respond('please get me an agent', { ...ctx, turnIndex: 1, source: 'speech' });
    expect(reply.escalate?.reason).toBeTruthy();
  });

  it('writes every decision to the audit log', async () => {
    const { items } = await listAudit(handle.db, tenantId, { limit: 500 });
    expect(items.filter((e) => e.entityType === 'call').length).toBeGreaterThan(3);
  });
});
