import { and, desc, eq, gte, lt, or, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { CallOutcome, Channel, ConflictError, Connector } from '@cc/core';
import type { Database } from '../database.ts';
import { agentVersions, calls, rollouts } from '../schema/index.ts';
import { Id, Limit, decodeCursor, encodeCursor, invalidCursor, mapConstraintErrors, parseOrThrow, requireId, requireInTenant, requireRow } from './common.ts';
import { redact, redactDeep } from '@cc/core';

export type Call = typeof calls.$inferSelect;

export const NewCall = z.object({
  /** Connectors may pick the id up front (e.g. to name recordings); otherwise the database does. */
  id: Id.optional(),
  channel: Channel,
  connector: Connector,
  externalCallId: z.string().min(1).max(200).optional(),
  callerIdHash: z.string().regex(/^[0-9a-f]{64}$/, 'must be hashCallerId() output, never the raw caller id').optional(),
  startedAt: z.coerce.date().optional(),
  agentVersionId: Id.optional(),
  rolloutId: Id.optional(),
  metadata: z.record(z.string(), z.unknown()).default({}).transform((m) => redactDeep(m)),
});
export type NewCall = z.input<typeof NewCall>;

export const CallEnd = z
  .object({
    outcome: CallOutcome.exclude(['in_progress']),
    escalationReason: z.string().trim().min(1).max(500).transform((r) => redact(r).text).optional(),
    endedAt: z.coerce.date().optional(),
  })
  .refine((e) => e.outcome !== 'escalated' || e.escalationReason !== undefined, { path: ['escalationReason'], message: 'is required when the call escalated' });
export type CallEnd = z.input<typeof CallEnd>;

export const CallListQuery = z.object({
  /** Inclusive lower bound on started_at. */
  from: z.coerce.date().optional(),
  /** Exclusive upper bound on started_at. */
  to: z.coerce.date().optional(),
  outcome: CallOutcome.optional(),
  limit: Limit(50, 500),
  cursor: z.string().optional(),
});
export type CallListQuery = z.input<typeof CallListQuery>;

export async function createCall(db: Database, tenantId: string, input: NewCall): Promise<Call> {
  requireId('tenant', tenantId);
  const values = parseOrThrow(NewCall, input, 'call');
  if (values.agentVersionId) await requireInTenant(db, agentVersions, tenantId, values.agentVersionId, 'agent version');
  if (values.rolloutId) await requireInTenant(db, rollouts, tenantId, values.rolloutId, 'rollout');
  const [row] = await mapConstraintErrors(() => db.insert(calls).values({ ...values, tenantId }).returning(), `call ${values.id} already exists`);
  return row!;
}

/** Ends a call once; ending it again is a ConflictError. */
export async function endCall(db: Database, tenantId: string, callId: string, input: CallEnd): Promise<Call> {
  requireId('tenant', tenantId);
  requireId('call', callId);
  const end = parseOrThrow(CallEnd, input, 'call end');
  const scope = and(eq(calls.tenantId, tenantId), eq(calls.id, callId));
  const [ended] = await db
    .update(calls)
    .set({ outcome: end.outcome, escalationReason: end.escalationReason ?? null, endedAt: end.endedAt ?? new Date() })
    .where(and(scope, eq(calls.outcome, 'in_progress')))
    .returning();
  if (ended) return ended;
  const existing = requireRow((await db.select().from(calls).where(scope))[0], 'call', callId);
  throw new ConflictError(`call ${callId} already ended (${existing.outcome})`, { callId, outcome: existing.outcome });
}

export async function getCall(db: Database, tenantId: string, callId: string): Promise<Call> {
  requireId('tenant', tenantId);
  requireId('call', callId);
  const [row] = await db.select().from(calls).where(and(eq(calls.tenantId, tenantId), eq(calls.id, callId)));
  return requireRow(row, 'call', callId);
}

/** Newest first, keyset-paginated on (started_at, id) so pages stay stable while calls arrive. */
export async function listCalls(db: Database, tenantId: string, query: CallListQuery = {}): Promise<{ items: Call[]; nextCursor: string | null }> {
  requireId('tenant', tenantId);
  const q = parseOrThrow(CallListQuery, query, 'call list query');
  const conditions: (SQL | undefined)[] = [eq(calls.tenantId, tenantId)];
  if (q.from) conditions.push(gte(calls.startedAt, q.from));
  if (q.to) conditions.push(lt(calls.startedAt, q.to));
  if (q.outcome) conditions.push(eq(calls.outcome, q.outcome));
  if (q.cursor) {
    const [at, id] = decodeCallCursor(q.cursor);
    conditions.push(or(lt(calls.startedAt, at), and(eq(calls.startedAt, at), lt(calls.id, id))));
  }
  const rows = await db
    .select()
    .from(calls)
    .where(and(...conditions))
    .orderBy(desc(calls.startedAt), desc(calls.id))
    .limit(q.limit + 1);
  const items = rows.slice(0, q.limit);
  const last = items[items.length - 1];
  const nextCursor = rows.length > q.limit && last ? encodeCursor([last.startedAt.toISOString(), last.id]) : null;
  return { items, nextCursor };
}

function decodeCallCursor(cursor: string): [Date, string] {
  const [at, id] = decodeCursor(cursor);
  const date = typeof at === 'string' ? new Date(at) : undefined;
  if (!date || Number.isNaN(date.getTime()) || typeof id !== 'string' || !Id.safeParse(id).success) return invalidCursor();
  return [date, id];
}
