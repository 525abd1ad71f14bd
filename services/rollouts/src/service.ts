import { z } from 'zod';
import { ConflictError, Environment, RolloutStage, ValidationError, parseOrThrow } from '@cc/core';
import type { AnalyticsStore } from '@cc/store/clickhouse';
import { createRollout as insertRollout, getAgentVersion, getRollout, updateRollout, type AgentVersion, type Database, type Rollout } from '@cc/store/postgres';
import { assignVersion, type Assignment } from './assignment.ts';
import { GuardrailConfig, evaluateGuardrails, guardrailConfigOf, sequentialVerdicts, type GuardrailEvaluation, type Verdict } from './guardrails.ts';
import { collectRolloutMetrics, type RolloutMetrics } from './metrics.ts';
import { completedRolloutOf, liveRolloutsOnTraffic, lockRollout, lockTraffic } from './repo.ts';
import type { SequentialState } from './sequential.ts';
import {
  START_STAGES,
  STAGE_SPLIT,
  candidatePercent,
  describeSplits,
  nextEnvironment,
  previousEnvironment,
  stageForSplit,
  transition,
  type Env,
  type RolloutAction,
  type Stage,
} from './stages.ts';

const Percent = z.number().int('must be a whole percentage').min(0, 'must be between 0 and 100').max(100, 'must be between 0 and 100');

/** Body of "create a rollout". The split, when given, must sum to 100 and be a stage's split. */
export const CreateRolloutInput = z
  .object({
    name: z.string().trim().min(1).max(200),
    baselineVersionId: z.guid(),
    candidateVersionId: z.guid(),
    environment: Environment,
    stage: RolloutStage.optional(),
    split: z.object({ control: Percent, candidate: Percent }).strict().optional(),
    guardrails: GuardrailConfig.optional(),
  })
  .strict()
  .superRefine((v, ctx) => {
    if (v.baselineVersionId === v.candidateVersionId) ctx.addIssue({ code: 'custom', path: ['candidateVersionId'], message: 'must differ from the baseline (control) version' });
    let stage = v.stage;
    if (v.split) {
      const { control, candidate } = v.split;
      if (control + candidate !== 100) {
        ctx.addIssue({ code: 'custom', path: ['split'], message: `control and candidate must sum to 100, got ${control} + ${candidate} = ${control + candidate}` });
        return;
      }
      const byStage = stageForSplit(candidate);
      if (!byStage) {
        ctx.addIssue({ code: 'custom', path: ['split'], message: `no stage routes ${control}/${candidate}; the stages are ${describeSplits()} (control/candidate)` });
        return;
      }
      if (stage && stage !== byStage) {
        ctx.addIssue({ code: 'custom', path: ['split'], message: `stage ${stage} routes ${100 - STAGE_SPLIT[stage]}/${STAGE_SPLIT[stage]}, not ${control}/${candidate}` });
        return;
      }
      stage = byStage;
    }
    if (stage && !START_STAGES.includes(stage)) {
      ctx.addIssue({ code: 'custom', path: [v.split ? 'split' : 'stage'], message: `a rollout starts in ${START_STAGES.join(' or ')} and then advances one stage at a time; got ${stage}` });
    }
  })
  .transform(({ split, stage, ...rest }) => ({ ...rest, stage: (stage ?? (split ? stageForSplit(split.candidate) : undefined) ?? 'shadow') as Stage }));
export type CreateRolloutInput = z.input<typeof CreateRolloutInput>;

export const TransitionInput = z
  .object({
    /** The stage the caller saw: if the rollout has moved since, the change is refused (optimistic check). */
    expectedStage: RolloutStage.optional(),
    reason: z.string().trim().min(3).max(1000).optional(),
  })
  .strict();
export type TransitionInput = z.input<typeof TransitionInput>;

export interface TransitionResult {
  before: Rollout;
  after: Rollout;
  action: RolloutAction;
  reason: string | null;
}

const label = (v: AgentVersion) => `${v.agentName}@${v.version}`;

async function publishedVersion(tx: Database, tenantId: string, id: string, role: 'baselineVersionId' | 'candidateVersionId'): Promise<AgentVersion> {
  const v = await getAgentVersion(tx, tenantId, id);
  if (v.status !== 'published') {
    throw new ValidationError('rollout', [{ path: role, message: `${label(v)} is ${v.status}; only published (immutable) versions can take traffic${v.status === 'draft' ? ' — publish it first' : ''}` }]);
  }
  return v;
}

/**
 * Create a rollout. Run inside a transaction (the caller audits in the same one). Refuses, each with
 * a message saying why: an invalid or non-summing split, versions that do not exist (404), are not
 * published, or belong to different agents, a candidate that has not completed a rollout in the
 * previous environment, and a second live rollout on the same traffic (tenant + agent + environment).
 */
export async function createRollout(tx: Database, tenantId: string, input: CreateRolloutInput): Promise<Rollout> {
  const v = parseOrThrow(CreateRolloutInput, input, 'rollout');
  const base = await publishedVersion(tx, tenantId, v.baselineVersionId, 'baselineVersionId');
  const cand = await publishedVersion(tx, tenantId, v.candidateVersionId, 'candidateVersionId');
  if (base.agentName !== cand.agentName) {
    throw new ValidationError('rollout', [{ path: 'candidateVersionId', message: `${label(cand)} is a version of another agent than the baseline ${label(base)}` }]);
  }
  const previous = previousEnvironment(v.environment);
  if (previous && !(await completedRolloutOf(tx, tenantId, cand.id, previous))) {
    throw new ConflictError(
      `${label(cand)} has not completed a rollout in ${previous}; a ${v.environment} rollout needs one first (promotion goes dev → staging → production)`,
      { candidateVersionId: cand.id, environment: v.environment },
    );
  }
  await lockTraffic(tx, tenantId, base.agentName, v.environment);
  const [existing] = await liveRolloutsOnTraffic(tx, tenantId, base.agentName, v.environment);
  if (existing) {
    throw new ConflictError(
      `rollout "${existing.name}" (${existing.id}) is already ${existing.status} on ${base.agentName} in ${v.environment}; complete or roll it back first — two rollouts on the same traffic would leave routing ambiguous`,
      { conflictingRolloutId: existing.id },
    );
  }
  return insertRollout(tx, tenantId, {
    name: v.name,
    baselineVersionId: base.id,
    candidateVersionId: cand.id,
    environment: v.environment,
    stage: v.stage,
    splitPercent: STAGE_SPLIT[v.stage],
    guardrails: GuardrailConfig.parse(v.guardrails ?? {}),
  });
}

/**
 * Apply one state-machine action. Run inside a transaction: the row is locked (NOWAIT — a change in
 * flight elsewhere makes this one fail with 409 instead of stacking on it), `expectedStage` is checked
 * against the locked row, and the new stage, status and split are written together.
 */
export async function transitionRollout(tx: Database, tenantId: string, rolloutId: string, action: RolloutAction, input: TransitionInput = {}, now = new Date()): Promise<TransitionResult> {
  const opts = parseOrThrow(TransitionInput, input, `${action} request`);
  if (action === 'rollback' && !opts.reason) throw new ValidationError(`${action} request`, [{ path: 'reason', message: 'a rollback needs a reason (it goes to the audit log)' }]);
  const before = await lockRollout(tx, tenantId, rolloutId);
  if (opts.expectedStage && opts.expectedStage !== before.stage) {
    throw new ConflictError(
      `rollout "${before.name}" is at ${before.stage} (${before.status}), not ${opts.expectedStage} as expected: it changed since you looked; nothing was done — reload it and decide again`,
      { rolloutId, stage: before.stage, expectedStage: opts.expectedStage },
    );
  }
  const next = transition(before, action, `rollout "${before.name}"`);
  const after = await updateRollout(tx, tenantId, rolloutId, { stage: next.stage, status: next.status, splitPercent: next.splitPercent }, now);
  return { before, after, action, reason: opts.reason ?? null };
}

/** After a rollout completed in one environment: a new rollout of the same versions, in shadow, in the next one. */
export async function promoteRollout(tx: Database, tenantId: string, rolloutId: string, input: { name?: string } = {}): Promise<{ source: Rollout; created: Rollout }> {
  const source = await lockRollout(tx, tenantId, rolloutId);
  if (source.status !== 'completed') {
    throw new ConflictError(`rollout "${source.name}" is ${source.status}; only a completed rollout can be promoted to the next environment`, { rolloutId });
  }
  const env = nextEnvironment(source.environment);
  if (!env) throw new ConflictError(`rollout "${source.name}" is in ${source.environment}, the last environment; there is nothing to promote to`, { rolloutId });
  const created = await createRollout(tx, tenantId, {
    name: input.name ?? `${source.name} (${env})`.slice(0, 200),
    baselineVersionId: source.baselineVersionId,
    candidateVersionId: source.candidateVersionId,
    environment: env,
    stage: 'shadow',
    guardrails: guardrailConfigOf(source),
  });
  return { source, created };
}

/**
 * Which version a call on this traffic gets: the live rollout's assignment, or null when no rollout is
 * live (the deployment's configured version answers). Creation refuses a second live rollout; should
 * two exist anyway (rows written outside this service), the oldest decides, so there is still one answer.
 */
export async function routeCall(db: Database, tenantId: string, agentName: string, environment: Env, callerIdHash: string | null): Promise<(Assignment & { rolloutId: string }) | null> {
  const [live] = await liveRolloutsOnTraffic(db, tenantId, agentName, environment);
  return live ? { ...assignVersion(live, tenantId, callerIdHash), rolloutId: live.id } : null;
}

// ─── the report: metrics, verdicts, guardrails ───────────────────────────────────────────────────

/** Keeps the sequential tests' running state between looks (the always-valid p-value is a running minimum). */
export interface SequentialStore {
  load(rolloutId: string): Promise<Record<string, SequentialState>>;
  save(rolloutId: string, state: Record<string, SequentialState>): Promise<void>;
}

/** The Redis calls the state store needs (ioredis' Redis has them). */
export interface KeyValue {
  get(key: string): Promise<string | null>;
  set(key: string, value: string, mode: 'EX', seconds: number): Promise<unknown>;
}

const STATE_TTL_SECONDS = 400 * 24 * 3600;
export const sequentialStateKey = (rolloutId: string) => `cc:rollouts:${rolloutId}:sequential`;

export function redisSequentialStore(redis: KeyValue): SequentialStore {
  return {
    async load(rolloutId) {
      const text = await redis.get(sequentialStateKey(rolloutId));
      if (!text) return {};
      try {
        return JSON.parse(text) as Record<string, SequentialState>;
      } catch {
        return {};
      }
    },
    async save(rolloutId, state) {
      await redis.set(sequentialStateKey(rolloutId), JSON.stringify(state), 'EX', STATE_TTL_SECONDS);
    },
  };
}

export interface ReportDeps {
  db: Database;
  analytics: AnalyticsStore;
  /** Without one, each look stands alone (p-values are then per look: still valid, less sticky). */
  sequential?: SequentialStore;
  now?: () => Date;
}

export interface RolloutReport {
  rollout: Rollout & { agentName: string };
  versions: { control: { id: string; label: string }; candidate: { id: string; label: string } };
  routing: { control: number; candidate: number; shadow: boolean; note: string };
  metrics: RolloutMetrics;
  verdicts: Verdict[];
  guardrails: GuardrailEvaluation;
}

/** The metric window and latency threshold of a rollout, then the metric table with intervals. */
export async function rolloutMetrics(analytics: AnalyticsStore, rollout: Rollout, now: Date): Promise<RolloutMetrics> {
  const cfg = guardrailConfigOf(rollout);
  return collectRolloutMetrics(
    analytics,
    { tenantId: rollout.tenantId, controlVersion: rollout.baselineVersionId, candidateVersion: rollout.candidateVersionId, from: rollout.createdAt, to: now },
    cfg.maxP95LatencyMs !== undefined ? { latencyThresholdMs: cfg.maxP95LatencyMs } : {},
  );
}

/** Metrics, the sequential verdicts (this request counts as a look) and the guardrails' state. */
export async function analyseRollout(deps: ReportDeps, rollout: Rollout): Promise<{ metrics: RolloutMetrics; verdicts: Verdict[]; guardrails: GuardrailEvaluation }> {
  const now = deps.now?.() ?? new Date();
  const metrics = await rolloutMetrics(deps.analytics, rollout, now);
  const prior = deps.sequential ? await deps.sequential.load(rollout.id) : {};
  const { verdicts, state } = sequentialVerdicts(rollout, metrics, prior, now);
  // Terminal rollouts no longer collect looks: their verdicts are what they were.
  if (deps.sequential && (rollout.status === 'active' || rollout.status === 'paused')) await deps.sequential.save(rollout.id, state);
  return { metrics, verdicts, guardrails: evaluateGuardrails(rollout, metrics) };
}

export function routingOf(rollout: Rollout): RolloutReport['routing'] {
  const candidate = candidatePercent(rollout);
  const shadow = (rollout.status === 'active' || rollout.status === 'paused') && rollout.stage === 'shadow';
  const note =
    rollout.status === 'rolled_back'
      ? 'rolled back: every call goes to control'
      : rollout.status === 'completed'
        ? 'completed: every call goes to the candidate'
        : shadow
          ? 'shadow: every call goes to control; the candidate listens without speaking'
          : `${rollout.status === 'paused' ? 'paused (split frozen)' : 'active'}: callers hashed below ${candidate}% get the candidate`;
  return { control: 100 - candidate, candidate, shadow, note };
}

export async function rolloutReport(deps: ReportDeps, tenantId: string, rolloutId: string): Promise<RolloutReport> {
  const rollout = await getRollout(deps.db, tenantId, rolloutId);
  const [control, candidate] = await Promise.all([getAgentVersion(deps.db, tenantId, rollout.baselineVersionId), getAgentVersion(deps.db, tenantId, rollout.candidateVersionId)]);
  const analysis = await analyseRollout(deps, rollout);
  return {
    rollout: { ...rollout, agentName: control.agentName },
    versions: { control: { id: control.id, label: label(control) }, candidate: { id: candidate.id, label: label(candidate) } },
    routing: routingOf(rollout),
    ...analysis,
  };
}
