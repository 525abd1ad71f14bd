import { describe, expect, it } from 'vitest';
import { EvalInputError, evalCallId, replayCall, type EvalDecision, type EvalEngine } from './eval-processors.ts';

const timings = { nlu: 2, retrieval: 3, policy: 1, llm: 0, actions: 4, total: 10 };
function fakeEngine(kinds: string[]): EvalEngine {
  return {
    async startSession() {
      let i = 0;
      return {
        greeting: { text: 'Hello, how can I help?' },
        session: {
          async handleTurn({ text }): Promise<EvalDecision> {
            const kind = kinds[i++] ?? 'say';
            return { kind, text: `reply to ${text}`, intent: 'payment.make_payment', confidence: 0.9, reason: kind === 'escalate' ? 'caller_asked' : 'ok', source: 'flow', timings };
          },
        },
      };
    },
  };
}
const ref = { tenantId: 't1', runId: 'run-1', dataset: 'mem', callId: 'c1', agentVersion: 'v1', runStartedAt: '2026-11-01T12:00:00.000Z' };
const call = {
  id: 'c1',
  turns: [
    { index: 0, speaker: 'caller' as const, text: 'pay my friend', intent: 'payment.make_payment' },
    { index: 1, speaker: 'agent' as const, text: 'how much?' },
    { index: 2, speaker: 'caller' as const, text: 'forty dollars', intent: null },
    { index: 3, speaker: 'caller' as const, text: 'thanks', intent: null },
  ],
};

describe('replayCall', () => {
  it('replays the caller turns, with run-derived times, three stages per turn and the outcome', async () => {
    const r = await replayCall({ loadCall: async () => call, agent: async () => fakeEngine(['ask_slot', 'run_action', 'end']) }, ref);
    expect(r.turns.map((t) => [t.turn_index, t.speaker])).toEqual([[0, 'agent'], [1, 'caller'], [2, 'agent'], [3, 'caller'], [4, 'agent'], [5, 'caller'], [6, 'agent']]);
    expect(r.turns.every((t) => t.call_id === evalCallId('run-1', 'c1'))).toBe(true);
    expect(r.turns[1]!.started_at).toEqual(new Date('2026-11-01T12:00:01.000Z'));
    expect(r.stages.filter((s) => s.turn_index === 1).map((s) => [s.stage, s.duration_ms])).toEqual([['nlu', 2], ['policy', 8], ['llm', 0]]);
    expect(r.events.map((e) => e.event_type)).toEqual(['eval_call_start', 'eval_turn', 'eval_turn', 'eval_turn', 'eval_call_end']);
    expect(r.decisions.map((d) => d.label)).toEqual(['payment.make_payment', null, null]);
    expect(r.outcome).toMatchObject({ outcome: 'contained', resolved: true });
  });

  it('stops at an escalation: the remaining caller turns are not sent', async () => {
    const r = await replayCall({ loadCall: async () => call, agent: async () => fakeEngine(['escalate']) }, ref);
    expect(r.decisions).toHaveLength(1);
    expect(r.outcome).toMatchObject({ outcome: 'escalated', reason: 'caller_asked' });
  });

  it('a call without caller turns is bad input', async () => {
    const empty = { id: 'c1', turns: [{ index: 0, speaker: 'agent' as const, text: 'hello?' }] };
    await expect(replayCall({ loadCall: async () => empty, agent: async () => fakeEngine([]) }, ref)).rejects.toBeInstanceOf(EvalInputError);
  });
});
