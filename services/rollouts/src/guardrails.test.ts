import { describe, expect, it } from 'vitest';
import { ValidationError } from '@cc/core';
import { GuardrailConfig, evaluateGuardrails, guardrailConfigOf, sequentialVerdicts } from './guardrails.ts';
import type { RolloutMetrics, VersionMetrics } from './metrics.ts';
import { ConsoleNotification, notificationChannel, publishNotification, rolledBackNotification } from './notifications.ts';
import { wilson } from './stats.ts';
import { binomial, seededRandom } from './test-random.ts';

interface ArmCounts {
  calls?: number;
  contained?: number;
  escalated?: number;
  abandoned?: number;
  hallucinations?: [number, number];
  intentCorrect?: [number, number];
  turns?: number;
  p95?: number;
  over?: number;
}

function arm(versionId: string, c: ArmCounts, thresholdMs?: number): VersionMetrics {
  const calls = c.calls ?? 0;
  return {
    versionId,
    calls,
    containment: wilson(c.contained ?? 0, calls),
    escalation: wilson(c.escalated ?? 0, calls),
    abandonment: wilson(c.abandoned ?? 0, calls),
    hallucination: wilson(...(c.hallucinations ?? [0, 0])),
    intentAccuracy: wilson(...(c.intentCorrect ?? [0, 0])),
    p95LatencyMs: { n: c.turns ?? 0, estimate: c.p95 ?? null, low: null, high: null },
    latencyOverThreshold: thresholdMs === undefined ? null : { thresholdMs, over: c.over ?? 0, n: c.turns ?? 0 },
    costPerCall: { n: 0, estimate: null, low: null, high: null },
  };
}

const metrics = (control: ArmCounts, candidate: ArmCounts, thresholdMs?: number): RolloutMetrics => ({
  from: '2026-01-01T00:00:00.000Z',
  to: '2026-01-02T00:00:00.000Z',
  level: 0.95,
  control: arm('ctl', control, thresholdMs),
  candidate: arm('cand', candidate, thresholdMs),
});

describe('guardrails', () => {
  const guardrails = { maxHallucinationRate: 0.02, maxP95LatencyMs: 1500, maxEscalationIncreasePoints: 2 };

  it('config: defaults, and bad values named', () => {
    expect(GuardrailConfig.parse({})).toEqual({ alpha: 0.05, mixtureTau: 0.05, minSamples: 100 });
    expect(() => guardrailConfigOf({ guardrails: { maxHallucinationRate: 3 } })).toThrow(ValidationError);
    expect(() => guardrailConfigOf({ guardrails: { maxLatency: 3 } })).toThrow(/guardrails/);
  });

  it('no decision below the minimum sample size, however bad the numbers look', () => {
    const e = evaluateGuardrails({ guardrails }, metrics({ calls: 50, escalated: 5 }, { calls: 50, escalated: 40, hallucinations: [30, 50], turns: 50, over: 50, p95: 9000 }, 1500));
    expect(e.breached).toBe(false);
    expect(e.checks.map((c) => c.status)).toEqual(['insufficient_data', 'insufficient_data', 'insufficient_data']);
  });

  it('within limits: ok', () => {
    const e = evaluateGuardrails({ guardrails }, metrics({ calls: 1000, escalated: 100 }, { calls: 1000, escalated: 105, hallucinations: [10, 1000], turns: 5000, over: 200, p95: 1300 }, 1500));
    expect(e).toMatchObject({ breached: false, reason: null });
    expect(e.checks.every((c) => c.status === 'ok')).toBe(true);
  });

  it('each guardrail breaches when the candidate is beyond its threshold with always-valid confidence', () => {
    const hall = evaluateGuardrails({ guardrails: { maxHallucinationRate: 0.02 } }, metrics({}, { hallucinations: [40, 500] }));
    expect(hall.breaches.map((b) => b.guardrail)).toEqual(['hallucination_rate']);
    expect(hall.breaches[0]!.test!.low).toBeGreaterThan(0.02);
    const slow = evaluateGuardrails({ guardrails: { maxP95LatencyMs: 1500 } }, metrics({}, { turns: 1000, over: 150, p95: 2400 }, 1500));
    expect(slow.breaches.map((b) => b.guardrail)).toEqual(['p95_latency']);
    expect(slow.reason).toMatch(/p95 turn latency 2400 ms/);
    const esc = evaluateGuardrails({ guardrails: { maxEscalationIncreasePoints: 2 } }, metrics({ calls: 1000, escalated: 100 }, { calls: 1000, escalated: 200 }));
    expect(esc.breaches.map((b) => b.guardrail)).toEqual(['escalation_increase']);
    expect(esc.breaches[0]!.observed).toBeCloseTo(10, 6);
    // 3 points up but the sequence still reaches below +2: not yet a breach.
    const close = evaluateGuardrails({ guardrails: { maxEscalationIncreasePoints: 2 } }, metrics({ calls: 1000, escalated: 100 }, { calls: 1000, escalated: 130 }));
    expect(close.breached).toBe(false);
  });

  it('the p95 guardrail needs metrics collected with its threshold', () => {
    expect(() => evaluateGuardrails({ guardrails: { maxP95LatencyMs: 1500 } }, metrics({}, { turns: 1000 }))).toThrow(/threshold/);
  });

  it('A/A: checked after every batch, the escalation guardrail (+0 points) falsely rolls back at most α of the time', () => {
    const rand = seededRandom(21);
    const experiments = 1500;
    let falseRollbacks = 0;
    for (let e = 0; e < experiments; e++) {
      let c = 0, x = 0, n1 = 0, n2 = 0;
      for (let look = 0; look < 40; look++) {
        c += binomial(rand, 50, 0.15);
        x += binomial(rand, 50, 0.15);
        n1 += 50;
        n2 += 50;
        if (evaluateGuardrails({ guardrails: { maxEscalationIncreasePoints: 0 } }, metrics({ calls: n1, escalated: c }, { calls: n2, escalated: x })).breached) {
          falseRollbacks++;
          break;
        }
      }
    }
    const rate = falseRollbacks / experiments;
    console.log('A/A false rollback rate (escalation guardrail, 40 looks):', rate);
    expect(rate).toBeLessThanOrEqual(0.05 + 3 * Math.sqrt((0.05 * 0.95) / experiments));
  });

  it('verdicts: insufficient data, then no difference, then a decision with its direction', () => {
    const g = { guardrails: { minSamples: 100 } };
    expect(sequentialVerdicts(g, metrics({ calls: 50, contained: 30 }, { calls: 50, contained: 30 })).verdicts[0]).toMatchObject({ metric: 'containment', decision: 'insufficient_data' });
    const even = sequentialVerdicts(g, metrics({ calls: 1000, contained: 600 }, { calls: 1000, contained: 605 }));
    expect(even.verdicts[0]).toMatchObject({ decision: 'no_difference_yet', looks: 1 });
    const better = sequentialVerdicts(g, metrics({ calls: 2000, contained: 1200, escalated: 500 }, { calls: 2000, contained: 1400, escalated: 300 }), even.state);
    expect(better.verdicts.find((v) => v.metric === 'containment')).toMatchObject({ decision: 'candidate_better', looks: 2 });
    expect(better.verdicts.find((v) => v.metric === 'escalation')).toMatchObject({ decision: 'candidate_better' });
    // A later calm look does not undo the decision (the always-valid p-value only falls).
    const later = sequentialVerdicts(g, metrics({ calls: 3000, contained: 1800 }, { calls: 3000, contained: 1810 }), better.state);
    expect(later.verdicts[0]).toMatchObject({ decision: 'candidate_better', pValue: better.verdicts[0]!.pValue });
  });
});

describe('console notification', () => {
  it('is validated against its schema and published on the tenant channel', async () => {
    const e = evaluateGuardrails({ guardrails: { maxHallucinationRate: 0.02 } }, metrics({}, { hallucinations: [40, 500] }));
    const tenantId = '5b0a3a5e-4d3f-4c59-9a54-0b8d2b3a9f10';
    const n = rolledBackNotification({
      rollout: {
        tenantId,
        id: '5b0a3a5e-4d3f-4c59-9a54-0b8d2b3a9f11',
        name: 'billing 1.1',
        environment: 'production',
        stage: 'canary_5',
        baselineVersionId: '5b0a3a5e-4d3f-4c59-9a54-0b8d2b3a9f12',
        candidateVersionId: '5b0a3a5e-4d3f-4c59-9a54-0b8d2b3a9f13',
      },
      breaches: e.breaches,
      actorId: 'rollout-guardrails',
      at: new Date('2026-01-01T00:00:00Z'),
    });
    const sent: [string, string][] = [];
    await publishNotification({ publish: async (ch, msg) => (sent.push([ch, msg]), 1) }, n);
    expect(sent[0]![0]).toBe(notificationChannel(tenantId));
    expect(sent[0]![0]).toBe(`cc:notifications:${tenantId}`);
    expect(ConsoleNotification.parse(JSON.parse(sent[0]![1]))).toMatchObject({ type: 'rollout.rolled_back', severity: 'critical', rollout: { name: 'billing 1.1' } });
    await expect(publishNotification({ publish: async () => 1 }, { ...n, breaches: [] })).rejects.toThrow();
  });
});
