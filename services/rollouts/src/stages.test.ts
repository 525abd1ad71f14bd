import { describe, expect, it } from 'vitest';
import { ConflictError } from '@cc/core';
import { STAGES, STAGE_SPLIT, candidatePercent, nextEnvironment, previousEnvironment, stageForSplit, transition, type RolloutState } from './stages.ts';

const at = (stage: RolloutState['stage'], status: RolloutState['status'] = 'active'): RolloutState => ({ stage, status, splitPercent: STAGE_SPLIT[stage] });

describe('stages and the state machine', () => {
  it('advances one stage at a time, shadow → canary_5 → pct_25 → pct_50 → full, with the split of each', () => {
    let s = at('shadow');
    const seen = [s.stage];
    while (s.stage !== 'full') {
      s = transition(s, 'advance');
      seen.push(s.stage);
      expect(s.splitPercent).toBe(STAGE_SPLIT[s.stage]);
    }
    expect(seen).toEqual([...STAGES]);
    expect(() => transition(s, 'advance')).toThrow(/already at full/);
    expect(transition(s, 'complete')).toEqual({ stage: 'full', status: 'completed', splitPercent: 100 });
  });

  it('pause freezes, resume continues, rollback sends traffic to control, terminal states refuse everything', () => {
    const paused = transition(at('pct_25'), 'pause');
    expect(paused).toEqual({ stage: 'pct_25', status: 'paused', splitPercent: 25 });
    expect(candidatePercent(paused)).toBe(25);
    expect(() => transition(paused, 'advance')).toThrow(/paused; resume it first/);
    expect(() => transition(paused, 'pause')).toThrow(/already paused/);
    expect(() => transition(at('pct_25'), 'resume')).toThrow(/not paused/);
    expect(transition(paused, 'resume')).toEqual(at('pct_25'));
    expect(() => transition(at('pct_50'), 'complete')).toThrow(/advance it to full first/);
    const rolledBack = transition(paused, 'rollback');
    expect(rolledBack).toEqual({ stage: 'pct_25', status: 'rolled_back', splitPercent: 0 });
    expect(candidatePercent(rolledBack)).toBe(0);
    for (const action of ['advance', 'pause', 'resume', 'rollback', 'complete'] as const) {
      expect(() => transition(rolledBack, action)).toThrow(ConflictError);
      expect(() => transition(at('full', 'completed'), action)).toThrow(/terminal/);
    }
  });

  it('splits map to stages; environments promote dev → staging → production', () => {
    expect(stageForSplit(5)).toBe('canary_5');
    expect(stageForSplit(10)).toBeUndefined();
    expect(nextEnvironment('dev')).toBe('staging');
    expect(nextEnvironment('production')).toBeUndefined();
    expect(previousEnvironment('production')).toBe('staging');
    expect(previousEnvironment('dev')).toBeUndefined();
  });
});
