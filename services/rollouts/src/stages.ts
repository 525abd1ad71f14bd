import { z } from 'zod';
import { ConflictError, Environment, RolloutStage, RolloutStatus } from '@cc/core';

export type Stage = z.infer<typeof RolloutStage>;
export type Status = z.infer<typeof RolloutStatus>;
export type Env = z.infer<typeof Environment>;

/** The stages in order, each with the share of traffic (percent) the candidate gets. */
export const STAGES = RolloutStage.options;
export const STAGE_SPLIT: Readonly<Record<Stage, number>> = { shadow: 0, canary_5: 5, pct_25: 25, pct_50: 50, full: 100 };
/** A rollout starts here: the first live exposure is at most 5% of the traffic. */
export const START_STAGES: readonly Stage[] = ['shadow', 'canary_5'];

/** dev → staging → production: a candidate reaches an environment only after completing a rollout in the previous one. */
export const ENVIRONMENTS = Environment.options;

export function nextStage(stage: Stage): Stage | undefined {
  return STAGES[STAGES.indexOf(stage) + 1];
}

export function previousEnvironment(env: Env): Env | undefined {
  const i = ENVIRONMENTS.indexOf(env);
  return i > 0 ? ENVIRONMENTS[i - 1] : undefined;
}

export function nextEnvironment(env: Env): Env | undefined {
  return ENVIRONMENTS[ENVIRONMENTS.indexOf(env) + 1];
}

/** The stage whose split is `candidate` percent, if any. */
export function stageForSplit(candidatePercent: number): Stage | undefined {
  return STAGES.find((s) => STAGE_SPLIT[s] === candidatePercent);
}

export function describeSplits(): string {
  return STAGES.map((s) => `${s} ${100 - STAGE_SPLIT[s]}/${STAGE_SPLIT[s]}`).join(', ');
}

/** Rollouts in these states own their traffic: at most one per tenant + agent + environment. */
export const LIVE_STATUSES: readonly Status[] = ['active', 'paused'];
export const TERMINAL_STATUSES: readonly Status[] = ['rolled_back', 'completed'];

/**
 * The candidate's share of traffic in percent, from status and stage alone (split_percent mirrors it):
 * active and paused rollouts route by their stage (a pause freezes the split, it does not move traffic),
 * a rolled-back one sends everyone to control, a completed one everyone to the candidate.
 */
export function candidatePercent(r: { status: Status; stage: Stage }): number {
  if (r.status === 'rolled_back') return 0;
  if (r.status === 'completed') return 100;
  return STAGE_SPLIT[r.stage];
}

export const RolloutAction = z.enum(['advance', 'pause', 'resume', 'rollback', 'complete']);
export type RolloutAction = z.infer<typeof RolloutAction>;

export interface RolloutState {
  stage: Stage;
  status: Status;
  splitPercent: number;
}

/**
 * The state machine. Returns the state after `action` or throws ConflictError saying why the action
 * does not apply to a rollout in `from`:
 *
 *   active ──advance──▶ active (next stage)      active ──pause──▶ paused ──resume──▶ active
 *   active|paused ──rollback──▶ rolled_back      active at full ──complete──▶ completed
 *
 * rolled_back and completed are terminal.
 */
export function transition(from: RolloutState, action: RolloutAction, label = 'rollout'): RolloutState {
  const refuse = (why: string): never => {
    throw new ConflictError(`cannot ${action} ${label}: ${why}`, { action, stage: from.stage, status: from.status });
  };
  if (from.status === 'rolled_back') refuse('it was rolled back (terminal); create a new rollout');
  if (from.status === 'completed') refuse('it is completed (terminal); create a new rollout');
  switch (action) {
    case 'advance': {
      if (from.status === 'paused') refuse('it is paused; resume it first');
      const next = nextStage(from.stage);
      if (!next) return refuse('it is already at full (100% candidate); complete it instead');
      return { stage: next, status: 'active', splitPercent: STAGE_SPLIT[next] };
    }
    case 'pause':
      if (from.status === 'paused') refuse('it is already paused');
      return { ...from, status: 'paused' };
    case 'resume':
      if (from.status !== 'paused') refuse(`it is ${from.status}, not paused`);
      return { ...from, status: 'active' };
    case 'rollback':
      return { stage: from.stage, status: 'rolled_back', splitPercent: 0 };
    case 'complete':
      if (from.status === 'paused') refuse('it is paused; resume it first');
      if (from.stage !== 'full') refuse(`it is at ${from.stage} (${STAGE_SPLIT[from.stage]}% candidate); advance it to full first`);
      return { stage: 'full', status: 'completed', splitPercent: 100 };
  }
}
