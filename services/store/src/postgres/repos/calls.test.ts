import { eq, sql } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { ConflictError, NotFoundError, ValidationError, hashCallerId } from '@cc/core';
import { queryRows } from '../database.ts';
import { auditLog } from '../schema/index.ts';
import { describeOnBothDrivers } from '../test-support.ts';
import { createAgentVersion } from './agent-versions.ts';
import { appendAudit, listAudit } from './audit-log.ts';
import { createCall, endCall, getCall, listCalls } from './calls.ts';
import { postgresError } from './common.ts';
import { addReviewLabel, createReviewTask, getReviewTask, listOpenReviewTasks, listReviewLabels } from './review.ts';
import { createUser } from './users.ts';

const voice = { channel: 'voice', connector: 'twilio' } as const;

describeOnBothDrivers('calls, review and audit log', ({ db, tenantA, tenantB }) => {
  it('creates a call with a hashed caller id and ends it once', async () => {
    const a = tenantA().id;
    const callerIdHash = hashCallerId('s'.repeat(32), a, '+1 (555) 010-0001');
    const call = await createCall(db(), a, { ...voice, externalCallId: 'CA123', callerIdHash, metadata: { lang: 'en' } });
    expect(call).toMatchObject({ outcome: 'in_progress', endedAt: null, metadata: { lang: 'en' } });
    const [kind] = await queryRows<{ t: string }>(db(), sql`select jsonb_typeof(metadata) as t from calls where id = ${call.id}`);
    expect(kind?.t).toBe('object');
    await expect(createCall(db(), a, { ...voice, callerIdHash: '+15550100001' })).rejects.toBeInstanceOf(ValidationError);

    await expect(endCall(db(), a, call.id, { outcome: 'escalated' })).rejects.toBeInstanceOf(ValidationError);
    const ended = await endCall(db(), a, call.id, { outcome: 'escalated', escalationReason: 'caller asked for a human' });
    expect(ended).toMatchObject({ outcome: 'escalated', escalationReason: 'caller asked for a human' });
    expect(ended.endedAt).toBeInstanceOf(Date);
    await expect(endCall(db(), a, call.id, { outcome: 'contained' })).rejects.toBeInstanceOf(ConflictError);
  });

  it('lists calls newest first within a time range, page by page', async () => {
    const b = tenantB().id;
    const base = Date.parse('2026-03-01T00:00:00.000Z');
    // Pairs share a start time, so the cursor has to break ties on id.
    for (let i = 0; i < 10; i++) await createCall(db(), b, { ...voice, startedAt: new Date(base + Math.floor(i / 2) * 60_000) });
    await createCall(db(), b, { ...voice, startedAt: new Date(base - 86_400_000) }); // outside the range

    const range = { from: new Date(base), to: new Date(base + 3_600_000), limit: 3 };
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await listCalls(db(), b, { ...range, cursor });
      seen.push(...page.items.map((c) => c.id));
      cursor = page.nextCursor ?? undefined;
      pages++;
    } while (cursor);
    expect(pages).toBe(4);
    expect(new Set(seen).size).toBe(10);
    const all = (await listCalls(db(), b, { ...range, limit: 100 })).items;
    expect(all.map((c) => c.id)).toEqual(seen);
    const times = all.map((c) => c.startedAt.getTime());
    expect(times).toEqual([...times].sort((x, y) => y - x));
    await expect(listCalls(db(), b, { cursor: 'garbage' })).rejects.toBeInstanceOf(ValidationError);
  });

  it('keeps calls within their tenant', async () => {
    const call = await createCall(db(), tenantA().id, voice);
    const b = tenantB().id;
    await expect(getCall(db(), b, call.id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(endCall(db(), b, call.id, { outcome: 'abandoned' })).rejects.toBeInstanceOf(NotFoundError);
    expect((await listCalls(db(), b, { limit: 500 })).items.some((c) => c.id === call.id)).toBe(false);
    await expect(createReviewTask(db(), b, { callId: call.id, reason: 'random' })).rejects.toBeInstanceOf(NotFoundError);
    const versionOfA = await createAgentVersion(db(), tenantA().id, { agentName: 'iso', version: '1' });
    await expect(createCall(db(), b, { ...voice, agentVersionId: versionOfA.id })).rejects.toBeInstanceOf(NotFoundError);
    expect((await getCall(db(), tenantA().id, call.id)).outcome).toBe('in_progress');
  });

  it('queues review tasks by priority and closes them with a label', async () => {
    const a = tenantA().id;
    const reviewer = await createUser(db(), a, { email: 'rev@example.com', name: 'Rev', role: 'reviewer' });
    const second = await createUser(db(), a, { email: 'rev2@example.com', name: 'Rev 2', role: 'reviewer' });
    const call = await createCall(db(), a, voice);
    const low = await createReviewTask(db(), a, { callId: call.id, reason: 'random' });
    const high = await createReviewTask(db(), a, { callId: call.id, turnIndex: 3, reason: 'low_confidence', priority: 10, assignedTo: reviewer.id });
    expect((await listOpenReviewTasks(db(), a)).map((t) => t.id)).toEqual([high.id, low.id]);

    const label = { reviewerId: reviewer.id, intent: 'refund', hallucination: true, hallucinationSpan: 'a 90-day window', outcome: 'contained' as const };
    await addReviewLabel(db(), a, high.id, { ...label, completeTask: false });
    expect((await getReviewTask(db(), a, high.id)).status).toBe('in_progress');
    await expect(addReviewLabel(db(), a, high.id, label)).rejects.toBeInstanceOf(ConflictError);
    await addReviewLabel(db(), a, high.id, { ...label, reviewerId: second.id, hallucination: false, hallucinationSpan: undefined });
    const done = await getReviewTask(db(), a, high.id);
    expect(done.status).toBe('done');
    expect(done.completedAt).toBeInstanceOf(Date);
    expect((await listReviewLabels(db(), a, high.id)).map((l) => l.reviewerId)).toEqual([reviewer.id, second.id]);
    expect((await listOpenReviewTasks(db(), a)).map((t) => t.id)).toEqual([low.id]);
    await expect(addReviewLabel(db(), a, low.id, { ...label, hallucination: false })).rejects.toBeInstanceOf(ValidationError);
  });

  it('keeps review tasks and labels within their tenant', async () => {
    const a = tenantA().id;
    const b = tenantB().id;
    const reviewerA = await createUser(db(), a, { email: 'rev-a@example.com', name: 'A', role: 'reviewer' });
    const reviewerB = await createUser(db(), b, { email: 'rev-b@example.com', name: 'B', role: 'reviewer' });
    const task = await createReviewTask(db(), a, { callId: (await createCall(db(), a, voice)).id, reason: 'escalation' });
    const label = { intent: 'x', hallucination: false, outcome: 'failed' as const };
    await expect(addReviewLabel(db(), b, task.id, { ...label, reviewerId: reviewerB.id })).rejects.toBeInstanceOf(NotFoundError);
    await expect(addReviewLabel(db(), a, task.id, { ...label, reviewerId: reviewerB.id })).rejects.toBeInstanceOf(NotFoundError);
    await expect(getReviewTask(db(), b, task.id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(listReviewLabels(db(), b, task.id)).rejects.toBeInstanceOf(NotFoundError);
    expect((await listOpenReviewTasks(db(), b)).some((t) => t.id === task.id)).toBe(false);
    await expect(createReviewTask(db(), a, { callId: task.callId, reason: 'random', assignedTo: reviewerB.id })).rejects.toBeInstanceOf(NotFoundError);
    expect((await getReviewTask(db(), a, task.id)).status).toBe('open');
    expect(reviewerA.tenantId).toBe(a);
  });

  it('appends audit entries and lists them per tenant, newest first, page by page', async () => {
    const a = tenantA().id;
    for (let i = 0; i < 5; i++) await appendAudit(db(), a, { actorType: 'user', actorId: 'u1', action: 'kb.update', entityType: 'kb_article', entityId: `k${i}`, details: { i } });
    await appendAudit(db(), tenantB().id, { actorType: 'system', action: 'seed', entityType: 'tenant' });
    const first = await listAudit(db(), a, { limit: 3 });
    expect(first.items.map((e) => e.entityId)).toEqual(['k4', 'k3', 'k2']);
    const second = await listAudit(db(), a, { limit: 3, cursor: first.nextCursor! });
    expect(second.items.map((e) => e.entityId)).toEqual(['k1', 'k0']);
    expect(second.nextCursor).toBeNull();
    expect((await listAudit(db(), a, { entityId: 'k2' })).items[0]?.details).toEqual({ i: 2 });
    expect((await listAudit(db(), tenantB().id)).items.map((e) => e.action)).toEqual(['seed']);
  });

  it('rejects UPDATE, DELETE and TRUNCATE on the audit log', async () => {
    const entry = await appendAudit(db(), tenantA().id, { actorType: 'api_key', actorId: 'k', action: 'call.create', entityType: 'call' });
    const attempts = [
      db().update(auditLog).set({ action: 'forged' }).where(eq(auditLog.id, entry.id)),
      db().delete(auditLog).where(eq(auditLog.id, entry.id)),
      db().execute(sql`truncate audit_log`),
    ];
    for (const attempt of attempts) {
      const err = await Promise.resolve(attempt).then(() => undefined, (e: unknown) => e);
      expect(postgresError(err)?.code).toBe('42501');
      expect(postgresError(err)?.message).toMatch(/append-only/);
    }
    expect((await listAudit(db(), tenantA().id, { entityType: 'call' })).items[0]).toMatchObject({ id: entry.id, action: 'call.create' });
  });

  // Last: it appends to tenant A's audit log, which the listing test above counts.
  it('redacts personal data on every free-text path: call metadata, escalation reason, labels, audit details', async () => {
    const a = tenantA().id;
    const card = '4111 1111 1111 1111';
    const call = await createCall(db(), a, { ...voice, metadata: { note: `card ${card}`, email: 'jo@example.com' } });
    await endCall(db(), a, call.id, { outcome: 'escalated', escalationReason: `caller read out ${card}` });
    const task = await createReviewTask(db(), a, { callId: call.id, reason: 'escalation' });
    const reviewer = await createUser(db(), a, { email: 'pii-reviewer@a.test', name: 'R', role: 'reviewer' });
    await addReviewLabel(db(), a, task.id, { reviewerId: reviewer.id, intent: 'billing', hallucination: true, hallucinationSpan: `said ${card}`, outcome: 'escalated', notes: 'call me on +1 415 555 0100' });
    await appendAudit(db(), a, { actorType: 'system', action: 'pii.test', entityType: 'call', details: { said: `my card ${card}` } });
    const stored = JSON.stringify(await queryRows(db(), sql`select c.metadata, c.escalation_reason, l.hallucination_span, l.notes, (select json_agg(details) from audit_log where tenant_id = ${a}) as audit from calls c join review_tasks t on t.call_id = c.id join review_labels l on l.task_id = t.id where c.id = ${call.id}`));
    expect(stored).toContain('[CARD]');
    for (const pii of ['4111', 'jo@example.com', '555 0100']) expect(stored).not.toContain(pii);
  });
});
