import { beforeAll, expect, it } from 'vitest';
import type { CallEventRow, ScoreRow, StageLatencyRow } from '@cc/core';
import { ingestRows, migrateAnalytics } from '@cc/store/clickhouse';
import { describeApi, expectNoInternals, expectProblem, json } from './api-fixture.ts';

const DAY = 86_400_000;
const day0 = Date.UTC(2026, 0, 10);
const at = (dayOffset: number, ms = 3_600_000) => new Date(day0 + dayOffset * DAY + ms);
const isoDay = (dayOffset: number) => new Date(day0 + dayOffset * DAY).toISOString().slice(0, 10);

function ended(tenantId: string, callId: string, version: string, outcome: string, when: Date, extra: Record<string, unknown> = {}): CallEventRow {
  return { tenant_id: tenantId, call_id: callId, seq: 9, agent_version: version, event_type: 'call_ended', at: when, payload: JSON.stringify({ outcome, ...extra }) };
}
function score(tenantId: string, callId: string, version: string, intent: string, correct: boolean, when: Date): ScoreRow {
  return { tenant_id: tenantId, call_id: callId, turn_index: 0, agent_version: version, run_id: 'live', metric: 'intent_correct', value: correct ? 1 : 0, evaluator_version: 'v1', details: JSON.stringify({ intent }), scored_at: when };
}
function latency(tenantId: string, callId: string, version: string, stage: StageLatencyRow['stage'], ms: number, when: Date): StageLatencyRow {
  return { tenant_id: tenantId, call_id: callId, turn_index: 0, agent_version: version, stage, started_at: when, duration_ms: ms };
}

describeApi('dashboard', (env) => {
  beforeAll(async () => {
    await migrateAnalytics(env().analytics);
    const a = env().a.tenant.id;
    const b = env().b.tenant.id;
    const events = [
      // Day 0: 2 contained, 1 escalated (v1); day 1: 1 contained (v2), 1 abandoned (v1), 1 failed (ignored by rates).
      ended(a, 'c1', 'v1', 'contained', at(0), { costUsd: 0.1 }),
      ended(a, 'c2', 'v1', 'contained', at(0), { costUsd: 0.3 }),
      ended(a, 'c3', 'v1', 'escalated', at(0)),
      ended(a, 'c4', 'v2', 'contained', at(1)),
      ended(a, 'c5', 'v1', 'abandoned', at(1)),
      ended(a, 'c6', 'v1', 'failed', at(1)),
      // Outside the range, and another tenant's call: never counted.
      ended(a, 'c-old', 'v1', 'escalated', at(-30)),
      ended(b, 'b1', 'v1', 'escalated', at(0)),
    ];
    await ingestRows(env().analytics, 'call_events', events, { jobId: 'dash-events' });
    await ingestRows(env().analytics, 'scores', [score(a, 'c1', 'v1', 'refund', true, at(0)), score(a, 'c2', 'v1', 'refund', false, at(0)), score(a, 'c4', 'v2', 'balance', true, at(1)), score(b, 'b1', 'v1', 'refund', false, at(0))], { jobId: 'dash-scores' });
    await ingestRows(
      env().analytics,
      'stage_latency',
      [...[100, 200, 300, 400].map((ms, i) => latency(a, `c${i + 1}`, i < 3 ? 'v1' : 'v2', 'asr', ms, at(0))), latency(a, 'c1', 'v1', 'llm', 900, at(0))],
      { jobId: 'dash-latency' },
    );
  });

  const range = `from=${isoDay(0)}&to=${isoDay(1)}`;

  it('answers per-day outcomes, volume, intent accuracy, latency, cost and versions for the tenant only', async () => {
    const body = await json(await env().call(`/v1/dashboard?${range}`, { as: { role: 'supervisor' } }));
    expect(body.range).toEqual({ from: `${isoDay(0)}T00:00:00.000Z`, to: `${isoDay(2)}T00:00:00.000Z` });
    expect(body.outcomesPerDay).toEqual([
      expect.objectContaining({ day: isoDay(0), ended: 3, contained: 2, escalated: 1, abandoned: 0 }),
      expect.objectContaining({ day: isoDay(1), ended: 2, contained: 1, escalated: 0, abandoned: 1 }),
    ]);
    expect(body.outcomesPerDay[0].containmentRate).toBeCloseTo(2 / 3);
    expect(body.volumePerDay).toEqual([{ day: isoDay(0), calls: 3 }, { day: isoDay(1), calls: 3 }]);
    expect(body.totals).toMatchObject({ calls: 6, ended: 5, contained: 3, escalated: 1, abandoned: 1, intentScored: 3, costedCalls: 2 });
    expect(body.totals.containmentRate).toBeCloseTo(0.6);
    expect(body.totals.intentAccuracy).toBeCloseTo(2 / 3);
    expect(body.totals.costPerCallUsd).toBeCloseTo(0.2);
    expect(body.totals.p95LatencyMs).toBeCloseTo(900);
    expect(body.intentAccuracy).toEqual([
      { intent: 'balance', scored: 1, correct: 1, accuracy: 1 },
      { intent: 'refund', scored: 2, correct: 1, accuracy: 0.5 },
    ]);
    const asr = body.stageLatency.find((s: { stage: string }) => s.stage === 'asr');
    expect(asr).toMatchObject({ samples: 4, p50Ms: 250 });
    expect(asr.p95Ms).toBeCloseTo(385);
    expect(body.versions.map((v: { agentVersion: string; ended: number }) => [v.agentVersion, v.ended])).toEqual([['v1', 4], ['v2', 1]]);
  });

  it('narrows every figure to one agent version', async () => {
    const body = await json(await env().call(`/v1/dashboard?${range}&agentVersion=v2`, { as: { role: 'reviewer' } }));
    expect(body.agentVersion).toBe('v2');
    expect(body.totals).toMatchObject({ calls: 1, ended: 1, contained: 1, containmentRate: 1, intentScored: 1, costPerCallUsd: null });
    expect(body.intentAccuracy).toEqual([{ intent: 'balance', scored: 1, correct: 1, accuracy: 1 }]);
    expect(body.stageLatency).toEqual([expect.objectContaining({ stage: 'asr', samples: 1, p95Ms: 400 })]);
  });

  it('answers an empty range with empty series and null rates, not zeros', async () => {
    const body = await json(await env().call('/v1/dashboard?from=2020-01-01&to=2020-01-31', { as: { role: 'admin' } }));
    expect(body.outcomesPerDay).toEqual([]);
    expect(body.totals).toMatchObject({ calls: 0, containmentRate: null, intentAccuracy: null, p95LatencyMs: null, costPerCallUsd: null });
  });

  it('rejects bad date ranges with a 400 naming the field', async () => {
    for (const [query, field] of [
      ['from=yesterday', 'from'],
      ['to=2026-13-45', 'to'],
      [`from=${isoDay(2)}&to=${isoDay(0)}`, 'from'],
      ['from=2020-01-01&to=2026-01-01', 'from'],
      ['agentVersion=', 'agentVersion'],
    ] as const) {
      const p = await expectProblem(await env().call(`/v1/dashboard?${query}`, { as: { role: 'supervisor' } }), 400);
      expect(p.errors?.map((e) => e.path), query).toContain(field);
    }
  });

  it('lists the calls behind a number (drill-down), newest first', async () => {
    const body = await json(await env().call(`/v1/dashboard/calls?${range}&outcome=contained`, { as: { role: 'supervisor' } }));
    expect(body.items.map((c: { callId: string }) => c.callId)).toEqual(['c4', 'c1', 'c2']);
    expect(body.items[0]).toEqual({ callId: 'c4', agentVersion: 'v2', outcome: 'contained', endedAt: at(1).toISOString().replace('.000', '') });
    const v1 = await json(await env().call(`/v1/dashboard/calls?${range}&agentVersion=v1&limit=2`, { as: { role: 'reviewer' } }));
    expect(v1.items).toHaveLength(2);
    expect(v1.truncated).toBe(true);
    const p = await expectProblem(await env().call(`/v1/dashboard/calls?outcome=lost`, { as: { role: 'admin' } }), 400);
    expect(p.errors?.map((e) => e.path)).toContain('outcome');
  });

  it('is refused to the agent role', async () => {
    await expectProblem(await env().call(`/v1/dashboard?${range}`, { as: { role: 'agent' } }), 403);
  });

  it('says the data is delayed (503) when ClickHouse cannot be read, never zeros', async () => {
    const analytics = env().deps.analytics;
    const original = analytics.query;
    analytics.query = async () => {
      throw new Error('connect ECONNREFUSED 127.0.0.1:8123');
    };
    try {
      const res = await env().call(`/v1/dashboard?${range}`, { as: { role: 'supervisor' } });
      expect(res.headers.get('retry-after')).toBe('5');
      const p = await expectProblem(res, 503);
      expect(p.type).toBe('urn:cc:problem:analytics_delayed');
      expect(p.detail).toMatch(/delayed/);
      expectNoInternals(JSON.stringify(p));
    } finally {
      analytics.query = original;
    }
  });
});
