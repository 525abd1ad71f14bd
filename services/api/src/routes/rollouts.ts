import type { Context } from 'hono';
import { z } from 'zod';
import { Environment, RolloutStage, RolloutStatus, ValidationError } from '@cc/core';
import {
  CreateRolloutInput,
  TransitionInput,
  createRollout,
  listRolloutsWithAgent,
  promoteRollout,
  redisSequentialStore,
  rolloutReport,
  routingOf,
  transitionRollout,
  type RolloutAction,
} from '@cc/rollouts';
import type { Rollout } from '@cc/store/postgres';
import { audit } from '../audit.ts';
import { jsonBody, queryParams } from '../request.ts';
import { ALL_ROLES, MANAGERS, type Routes } from '../route-table.ts';
import type { ApiDeps, ApiEnv } from '../deps.ts';

const ListQuery = z.object({
  status: RolloutStatus.optional(),
  environment: Environment.optional(),
  stage: RolloutStage.optional(),
  agentName: z.string().max(100).optional(),
});

const PromoteBody = z.object({ name: z.string().trim().min(1).max(200).optional() }).strict();

/** Actions take an optional JSON body: an empty request is `{}`. */
async function optionalBody<S extends z.ZodType>(c: Context<ApiEnv>, schema: S): Promise<z.output<S>> {
  const hasBody = (c.req.header('content-length') ?? '0') !== '0' || c.req.header('content-type') !== undefined || c.req.header('transfer-encoding') !== undefined;
  return hasBody ? jsonBody(c, schema) : (schema.parse({}) as z.output<S>);
}

const AUDIT_ACTION: Record<RolloutAction, string> = {
  advance: 'rollout.advanced',
  pause: 'rollout.paused',
  resume: 'rollout.resumed',
  rollback: 'rollout.rolled_back',
  complete: 'rollout.completed',
};

const stateOf = (r: Rollout) => ({ stage: r.stage, status: r.status, splitPercent: r.splitPercent });
const withRouting = (r: Rollout) => ({ ...r, routing: routingOf(r) });

/**
 * A/B rollouts: create, list, read with per-version metrics and the sequential verdict, and move through
 * the state machine. Every change writes its audit entry in the same transaction.
 */
export function rolloutRoutes(deps: ApiDeps, routes: Routes) {
  const db = deps.db.db;
  const sequential = redisSequentialStore(deps.redis);

  routes.add({ method: 'GET', path: '/v1/rollouts', roles: ALL_ROLES, summary: 'List rollouts (filters: status, environment, stage, agentName)' }, async (c) => {
    const items = await listRolloutsWithAgent(db, c.get('principal').tenantId, queryParams(c, ListQuery));
    return c.json({ items: items.map(withRouting) });
  });

  routes.add({ method: 'GET', path: '/v1/rollouts/:id', roles: ALL_ROLES, summary: 'A rollout with its per-version metrics, intervals, sequential verdicts and guardrails' }, async (c) => {
    return c.json(await rolloutReport({ db, analytics: deps.analytics, sequential }, c.get('principal').tenantId, c.req.param('id')!));
  });

  routes.add({ method: 'POST', path: '/v1/rollouts', roles: MANAGERS, summary: 'Create a rollout between two published versions' }, async (c) => {
    const input = await jsonBody(c, z.unknown());
    const rollout = await db.transaction(async (tx) => {
      const r = await createRollout(tx, c.get('principal').tenantId, input as CreateRolloutInput);
      await audit(c, tx, {
        action: 'rollout.created',
        entityType: 'rollout',
        entityId: r.id,
        details: { name: r.name, environment: r.environment, baselineVersionId: r.baselineVersionId, candidateVersionId: r.candidateVersionId, to: stateOf(r), guardrails: r.guardrails },
      });
      return r;
    });
    return c.json(withRouting(rollout), 201);
  });

  const action = (name: RolloutAction, summary: string) =>
    routes.add({ method: 'POST', path: `/v1/rollouts/:id/${name}`, roles: MANAGERS, summary }, async (c) => {
      const body = await optionalBody(c, TransitionInput);
      if (name === 'advance' && !body.expectedStage) {
        throw new ValidationError('advance request', [{ path: 'expectedStage', message: 'required: the stage you are advancing from, so that two clicks cannot advance twice' }]);
      }
      const result = await db.transaction(async (tx) => {
        const r = await transitionRollout(tx, c.get('principal').tenantId, c.req.param('id')!, name, body);
        await audit(c, tx, {
          action: AUDIT_ACTION[name],
          entityType: 'rollout',
          entityId: r.after.id,
          details: { from: stateOf(r.before), to: stateOf(r.after), ...(r.reason ? { reason: r.reason } : {}) },
        });
        return r;
      });
      return c.json(withRouting(result.after));
    });
  action('advance', 'Advance to the next stage (body: expectedStage)');
  action('pause', 'Pause: the split is frozen and advancing is refused until resumed');
  action('resume', 'Resume a paused rollout');
  action('rollback', 'Roll back: every call to control (body: reason)');
  action('complete', 'Complete a rollout at full: the candidate keeps all traffic');

  routes.add({ method: 'POST', path: '/v1/rollouts/:id/promote', roles: MANAGERS, summary: 'Start the next environment’s rollout from a completed one' }, async (c) => {
    const body = await optionalBody(c, PromoteBody);
    const { source, created } = await db.transaction(async (tx) => {
      const r = await promoteRollout(tx, c.get('principal').tenantId, c.req.param('id')!, body);
      await audit(c, tx, {
        action: 'rollout.promoted',
        entityType: 'rollout',
        entityId: r.created.id,
        details: { from: { rolloutId: r.source.id, environment: r.source.environment }, to: { environment: r.created.environment, ...stateOf(r.created) } },
      });
      return r;
    });
    return c.json({ ...withRouting(created), promotedFrom: source.id }, 201);
  });
}
