import type { CallEventRow, ScoreRow, StageLatencyRow } from '@cc/core';

/**
 * A small hand-checked dataset for the dashboard queries (test fixture). Tenant `acme`, range
 * [2026-10-01, 2026-10-03) UTC. Noise that every query must ignore: another tenant, rows outside the
 * range, other event types, other metrics, outcomes other than contained/escalated/abandoned.
 */
export const range = { tenantId: 'acme', from: new Date('2026-10-01T00:00:00Z'), to: new Date('2026-10-03T00:00:00Z') };

const ended = (tenant_id: string, call_id: string, at: string, outcome: string, agent_version = '1.0.0'): CallEventRow => ({
  tenant_id, call_id, seq: 9, agent_version, event_type: 'call_ended', at: new Date(at), payload: JSON.stringify({ outcome }),
});

export const callEvents: CallEventRow[] = [
  // 2026-10-01: contained 2, escalated 1, abandoned 1 (failed left out) -> 4 ended, rate 0.5
  ended('acme', 'c1', '2026-10-01T09:00:00Z', 'contained'),
  ended('acme', 'c2', '2026-10-01T10:00:00Z', 'contained'),
  ended('acme', 'c3', '2026-10-01T11:00:00Z', 'escalated'),
  ended('acme', 'c4', '2026-10-01T23:59:59.999Z', 'abandoned', '2.0.0'),
  ended('acme', 'c5', '2026-10-01T12:00:00Z', 'failed'),
  { tenant_id: 'acme', call_id: 'c1', seq: 0, agent_version: '1.0.0', event_type: 'call_started', at: new Date('2026-10-01T08:59:00Z'), payload: '{}' },
  // 2026-10-02: contained 2, escalated 1 -> 3 ended, rate 2/3
  ended('acme', 'c6', '2026-10-02T00:00:00Z', 'contained'),
  ended('acme', 'c7', '2026-10-02T08:00:00Z', 'contained'),
  ended('acme', 'c8', '2026-10-02T09:00:00Z', 'escalated'),
  // noise
  ended('acme', 'c9', '2026-10-03T00:00:00Z', 'escalated'),
  ended('acme', 'c0', '2026-09-30T23:59:59.999Z', 'escalated'),
  ended('globex', 'g1', '2026-10-01T09:00:00Z', 'escalated'),
];

export const expectedContainment = [
  { day: '2026-10-01', ended: 4, contained: 2, escalated: 1, abandoned: 1, containmentRate: 0.5 },
  { day: '2026-10-02', ended: 3, contained: 2, escalated: 1, abandoned: 0, containmentRate: 2 / 3 },
];
export const expectedContainmentV2 = [{ day: '2026-10-01', ended: 1, contained: 0, escalated: 0, abandoned: 1, containmentRate: 0 }];

const score = (tenant_id: string, call_id: string, turn_index: number, intent: string, value: number, at = '2026-10-01T10:00:00Z', metric = 'intent_correct'): ScoreRow => ({
  tenant_id, call_id, turn_index, agent_version: '1.0.0', run_id: 'live', metric, value, evaluator_version: 'v1', details: JSON.stringify({ intent }), scored_at: new Date(at),
});

export const scores: ScoreRow[] = [
  // billing: 3 of 4 correct; refund: 1 of 2
  score('acme', 'c1', 0, 'billing', 1),
  score('acme', 'c1', 2, 'billing', 1),
  score('acme', 'c2', 0, 'billing', 0),
  score('acme', 'c6', 0, 'billing', 1, '2026-10-02T10:00:00Z'),
  score('acme', 'c3', 0, 'refund', 0),
  score('acme', 'c7', 0, 'refund', 1, '2026-10-02T10:00:00Z'),
  // noise
  score('acme', 'c3', 1, 'refund', 0, '2026-10-01T10:00:00Z', 'groundedness'),
  score('acme', 'c9', 0, 'refund', 0, '2026-10-03T00:00:00Z'),
  score('globex', 'g1', 0, 'billing', 0),
];

export const expectedIntentAccuracy = [
  { intent: 'billing', scored: 4, correct: 3, accuracy: 0.75 },
  { intent: 'refund', scored: 2, correct: 1, accuracy: 0.5 },
];

const latency = (tenant_id: string, turn_index: number, stage: StageLatencyRow['stage'], duration_ms: number, at = '2026-10-01T10:00:00Z'): StageLatencyRow => ({
  tenant_id, call_id: 'c1', turn_index, agent_version: '1.0.0', stage, started_at: new Date(at), duration_ms,
});

export const stageLatency: StageLatencyRow[] = [
  // asr 10..100: p50 = 55, p95 = 90 + 0.55 * 10 = 95.5 (linear interpolation at 0.95 * (10 - 1) = 8.55)
  ...[10, 20, 30, 40, 50, 60, 70, 80, 90, 100].map((ms, i) => latency('acme', i, 'asr', ms)),
  // tts 100, 200: p50 = 150, p95 = 195
  latency('acme', 0, 'tts', 100),
  latency('acme', 1, 'tts', 200, '2026-10-02T23:59:59.999Z'),
  // noise
  latency('acme', 2, 'tts', 5000, '2026-10-03T00:00:00Z'),
  latency('globex', 0, 'asr', 5000),
];

export const expectedStageLatency = [
  { stage: 'asr', samples: 10, p50Ms: 55, p95Ms: 95.5 },
  { stage: 'tts', samples: 2, p50Ms: 150, p95Ms: 195 },
];
