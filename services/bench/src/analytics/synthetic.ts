import type { CallEventRow, ScoreRow, StageLatencyRow, TurnRow } from '@cc/core';
import { mulberry32, pick } from '../prng.ts';

const intents = ['check_balance', 'transfer_money', 'reset_password', 'order_status', 'refund_request', 'update_address', 'cancel_subscription', 'book_flight', 'reserve_hotel', 'out_of_scope'];
const versions = ['1.0.0', '1.1.0', '1.2.0'];
const outcomes = ['contained', 'contained', 'contained', 'escalated', 'abandoned'] as const;
const agentStages = ['asr', 'nlu', 'policy', 'tts', 'transport'] as const;

export interface SyntheticBatch {
  turns: TurnRow[];
  stageLatency: StageLatencyRow[];
  events: CallEventRow[];
  scores: ScoreRow[];
}

/**
 * Deterministic synthetic calls, yielded in batches until `totalTurns` turns exist. Calls alternate
 * caller and agent turns; agent turns carry per-stage latencies, caller turns an intent score, and
 * each call ends with a `call_ended` event holding its outcome.
 */
export function* syntheticCalls(opts: { totalTurns: number; tenants: number; days: number; seed: number; batchTurns: number }): Generator<SyntheticBatch> {
  const rand = mulberry32(opts.seed);
  const start = Date.UTC(2026, 9, 1);
  const span = opts.days * 86_400_000;
  let made = 0;
  let callNo = 0;
  let batch: SyntheticBatch = { turns: [], stageLatency: [], events: [], scores: [] };
  while (made < opts.totalTurns) {
    const tenant = `tenant-${callNo % opts.tenants}`;
    const callId = `call-${callNo++}`;
    const version = pick(rand, versions);
    const intent = pick(rand, intents);
    const nTurns = Math.min(opts.totalTurns - made, 4 + Math.floor(rand() * 12));
    let t = start + Math.floor(rand() * span);
    for (let i = 0; i < nTurns; i++) {
      const isCaller = i % 2 === 0;
      const duration = 800 + Math.floor(rand() * 4000);
      const turnStart = new Date(t);
      batch.turns.push({
        tenant_id: tenant, call_id: callId, turn_index: i, agent_version: version,
        speaker: isCaller ? 'caller' : 'agent', text_redacted: isCaller ? `caller utterance ${i} about ${intent}` : `agent answer ${i}`,
        intent: isCaller ? intent : '', confidence: isCaller ? 0.5 + rand() * 0.5 : 0, started_at: turnStart, ended_at: new Date(t + duration),
      });
      if (isCaller) {
        batch.scores.push({
          tenant_id: tenant, call_id: callId, turn_index: i, agent_version: version, run_id: 'live', metric: 'intent_correct',
          value: rand() < 0.88 ? 1 : 0, evaluator_version: 'synthetic-1', details: JSON.stringify({ intent }), scored_at: new Date(t + duration),
        });
      } else {
        for (const stage of agentStages) {
          batch.stageLatency.push({ tenant_id: tenant, call_id: callId, turn_index: i, agent_version: version, stage, started_at: turnStart, duration_ms: Math.round(20 + rand() * rand() * 600) });
        }
      }
      t += duration + Math.floor(rand() * 1500);
      made++;
    }
    batch.events.push({ tenant_id: tenant, call_id: callId, seq: 0, agent_version: version, event_type: 'call_ended', at: new Date(t), payload: JSON.stringify({ outcome: pick(rand, outcomes) }) });
    if (batch.turns.length >= opts.batchTurns) {
      yield batch;
      batch = { turns: [], stageLatency: [], events: [], scores: [] };
    }
  }
  if (batch.turns.length > 0) yield batch;
}
