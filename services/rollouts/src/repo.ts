import { and, asc, desc, eq, inArray, ne, sql, type SQL } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import { ConflictError, NotFoundError } from '@cc/core';
import { postgresError, schema, type Database, type Rollout } from '@cc/store/postgres';
import { LIVE_STATUSES, type Env, type Stage, type Status } from './stages.ts';

/**
 * Queries the rollout service needs beyond the store's rollouts repository: row locks, the traffic a
 * rollout owns (tenant + agent + environment), and cross-tenant listing for the guardrail checker.
 */
const { rollouts, agentVersions } = schema;
const baseline = alias(agentVersions, 'baseline');

const isUuid = (id: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id);

/**
 * Lock the rollout's row for the rest of the transaction, without waiting: if another transaction
 * (a stage change, a rollback, the guardrail checker) holds it, this change is refused with a
 * ConflictError rather than applied on top of a state its author never saw.
 */
export async function lockRollout(tx: Database, tenantId: string, rolloutId: string): Promise<Rollout> {
  if (!isUuid(rolloutId)) throw new NotFoundError('rollout', rolloutId);
  try {
    const [row] = await tx
      .select()
      .from(rollouts)
      .where(and(eq(rollouts.tenantId, tenantId), eq(rollouts.id, rolloutId)))
      .for('update', { noWait: true });
    if (!row) throw new NotFoundError('rollout', rolloutId);
    return row;
  } catch (err) {
    if (postgresError(err)?.code === '55P03') {
      throw new ConflictError(`rollout ${rolloutId} is being changed by another request right now (a stage change or rollback in progress); nothing was done — reload it and retry`, {
        rolloutId,
      });
    }
    throw err;
  }
}

/**
 * Serialise changes to one traffic (tenant + agent + environment) until the transaction ends, so two
 * concurrent creates cannot both see "no live rollout" and both insert one.
 */
export async function lockTraffic(tx: Database, tenantId: string, agentName: string, environment: Env): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`cc:rollout-traffic:${tenantId}:${agentName}:${environment}`}, 0))`);
}

/** Live (active or paused) rollouts of this tenant on this agent's traffic in this environment, oldest first. */
export async function liveRolloutsOnTraffic(db: Database, tenantId: string, agentName: string, environment: Env, exceptId?: string): Promise<Rollout[]> {
  const conditions: (SQL | undefined)[] = [
    eq(rollouts.tenantId, tenantId),
    eq(rollouts.environment, environment),
    inArray(rollouts.status, [...LIVE_STATUSES]),
    eq(baseline.agentName, agentName),
    exceptId ? ne(rollouts.id, exceptId) : undefined,
  ];
  const rows = await db
    .select({ rollout: rollouts })
    .from(rollouts)
    .innerJoin(baseline, eq(baseline.id, rollouts.baselineVersionId))
    .where(and(...conditions))
    .orderBy(asc(rollouts.createdAt), asc(rollouts.id));
  return rows.map((r) => r.rollout);
}

/** Whether `candidateVersionId` completed a rollout in `environment` (the gate for promoting to the next one). */
export async function completedRolloutOf(db: Database, tenantId: string, candidateVersionId: string, environment: Env): Promise<Rollout | undefined> {
  const [row] = await db
    .select()
    .from(rollouts)
    .where(and(eq(rollouts.tenantId, tenantId), eq(rollouts.candidateVersionId, candidateVersionId), eq(rollouts.environment, environment), eq(rollouts.status, 'completed')))
    .limit(1);
  return row;
}

export interface RolloutFilter {
  status?: Status;
  environment?: Env;
  stage?: Stage;
  agentName?: string;
}

export interface RolloutWithAgent extends Rollout {
  agentName: string;
}

/** A tenant's rollouts, newest first, with the agent they route. */
export async function listRolloutsWithAgent(db: Database, tenantId: string, filter: RolloutFilter = {}): Promise<RolloutWithAgent[]> {
  const conditions: (SQL | undefined)[] = [
    eq(rollouts.tenantId, tenantId),
    filter.status ? eq(rollouts.status, filter.status) : undefined,
    filter.environment ? eq(rollouts.environment, filter.environment) : undefined,
    filter.stage ? eq(rollouts.stage, filter.stage) : undefined,
    filter.agentName ? eq(baseline.agentName, filter.agentName) : undefined,
  ];
  const rows = await db
    .select({ rollout: rollouts, agentName: baseline.agentName })
    .from(rollouts)
    .innerJoin(baseline, eq(baseline.id, rollouts.baselineVersionId))
    .where(and(...conditions))
    .orderBy(desc(rollouts.createdAt), desc(rollouts.id));
  return rows.map((r) => ({ ...r.rollout, agentName: r.agentName }));
}

/** Every live rollout of every tenant (or of one), for the periodic guardrail check. */
export async function listLiveRollouts(db: Database, filter: { tenantId?: string; rolloutId?: string } = {}): Promise<Rollout[]> {
  return db
    .select()
    .from(rollouts)
    .where(
      and(
        inArray(rollouts.status, [...LIVE_STATUSES]),
        filter.tenantId ? eq(rollouts.tenantId, filter.tenantId) : undefined,
        filter.rolloutId ? eq(rollouts.id, filter.rolloutId) : undefined,
      ),
    )
    .orderBy(asc(rollouts.createdAt), asc(rollouts.id));
}
