import { describe, expect, it } from 'vitest';
import { loadSgdDialogues, toDialogue } from './sgd.ts';

describe('SGD dialogues', () => {
  it('maps USER turns to caller turns with intent and slots, SYSTEM turns to agent actions', async () => {
    const dialogues = [];
    for await (const d of loadSgdDialogues('test', { limit: 3 })) dialogues.push(d);
    expect(dialogues).toHaveLength(3);
    const first = dialogues[0]!;
    expect(first.id).toBe('1_00032');
    expect(first.turns[0]).toMatchObject({ speaker: 'caller', intent: 'SearchHotel', slots: { location: ['London'] } });
    expect(first.turns[1]!.speaker).toBe('agent');
    expect(first.turns[1]!.actions.map((a) => a.act)).toContain('OFFER');
    expect(first.turns[1]!.serviceCall).toEqual({ method: 'SearchHotel', parameters: { location: 'London' } });
  });

  it('filters by service', async () => {
    for await (const d of loadSgdDialogues('test', { limit: 5, services: ['Payment_1'] })) expect(d.services).toEqual(['Payment_1']);
  });

  it('rejects a malformed dialogue with the field named', () => {
    expect(() => toDialogue({ dialogue_id: 'x', services: [], turns: [{ speaker: 'BOT', utterance: 'hi', frames: [] }] }, 'test')).toThrow(/turns\.0\.speaker/);
  });
});
