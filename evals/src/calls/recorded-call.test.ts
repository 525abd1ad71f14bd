import { describe, expect, it } from 'vitest';
import { decodeWav } from '@cc/voice';
import { loadSgdDialogues } from '../datasets/sgd.ts';
import { recordDialogue } from './recorded-call.ts';

describe('recorded calls from SGD dialogues', () => {
  it('puts the caller on channel 0 and the agent on channel 1, 8 kHz μ-law, with turn timings', async () => {
    const iter = loadSgdDialogues('test', { limit: 1 });
    const dialogue = (await iter.next()).value!;
    dialogue.turns = dialogue.turns.slice(0, 3);
    const { wav, labels } = await recordDialogue(dialogue);
    const decoded = decodeWav(wav);
    expect(decoded).toMatchObject({ sampleRate: 8000, encoding: 'mulaw' });
    expect(decoded.channels).toHaveLength(2);
    const energy = (ch: Int16Array, fromMs: number, toMs: number) => {
      let e = 0;
      for (let i = Math.floor((fromMs / 1000) * 8000); i < Math.floor((toMs / 1000) * 8000); i++) e += Math.abs(ch[i]!);
      return e;
    };
    const [first, second] = labels.turns;
    expect(first).toMatchObject({ speaker: 'caller', intent: 'SearchHotel' });
    expect(energy(decoded.channels[0]!, first!.startMs, first!.endMs)).toBeGreaterThan(100 * energy(decoded.channels[1]!, first!.startMs, first!.endMs) + 1);
    expect(second!.speaker).toBe('agent');
    expect(energy(decoded.channels[1]!, second!.startMs, second!.endMs)).toBeGreaterThan(100 * energy(decoded.channels[0]!, second!.startMs, second!.endMs) + 1);
    expect(second!.startMs).toBeGreaterThan(first!.endMs);
  });
});
