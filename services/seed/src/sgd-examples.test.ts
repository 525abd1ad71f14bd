import { describe, expect, it } from 'vitest';
import { ExampleSelector, dialogueCandidates, type SgdDialogueLike } from './sgd-examples.ts';

type Frame = SgdDialogueLike['turns'][number]['frames'][number];
const user = (utterance: string, ...frames: Frame[]) => ({ speaker: 'USER', utterance, frames });
const system = (utterance: string) => ({ speaker: 'SYSTEM', utterance, frames: [] });
const frame = (service: string, intent: string, acts: Array<{ act: string; values?: string[] }> = []): Frame => ({ service, actions: acts, state: { active_intent: intent } });
const informIntent = (intent: string) => ({ act: 'INFORM_INTENT', values: [intent] });

describe('dialogueCandidates', () => {
  const services = new Set(['Banks_1', 'Hotels_1']);

  it('keeps turns where the intent first appears or changes and is stated', () => {
    const d: SgdDialogueLike = {
      dialogue_id: '1_00001',
      turns: [
        user('Hi there.', frame('Banks_1', 'NONE')),
        system('How can I help?'),
        user('What is my  balance?', frame('Banks_1', 'CheckBalance', [informIntent('CheckBalance')])),
        system('Which account?'),
        user('Checking.', frame('Banks_1', 'CheckBalance', [{ act: 'INFORM' }])),
        system('It is $100.'),
        user('Send $20 to Sam.', frame('Banks_1', 'TransferMoney', [informIntent('TransferMoney')])),
      ],
    };
    const out = dialogueCandidates(d, 'train', services);
    expect(out.map((e) => [e.intent, e.text, e.turn])).toEqual([
      ['CheckBalance', 'What is my balance?', 2],
      ['TransferMoney', 'Send $20 to Sam.', 6],
    ]);
    expect(out[0]).toMatchObject({ service: 'Banks_1', split: 'train', dialogue_id: '1_00001' });
  });

  it('drops bare AFFIRM_INTENT changes, other services and ambiguous turns', () => {
    const d: SgdDialogueLike = {
      dialogue_id: '2_00002',
      turns: [
        user('Find a hotel in Paris.', frame('Hotels_1', 'SearchHotel', [informIntent('SearchHotel')])),
        system('Want to book it?'),
        user('Yes please.', frame('Hotels_1', 'ReserveHotel', [{ act: 'AFFIRM_INTENT' }])),
        user('Play music.', frame('Music_1', 'PlaySong', [informIntent('PlaySong')])),
        user('Both at once.', frame('Banks_1', 'CheckBalance', [informIntent('CheckBalance')]), frame('Hotels_1', 'SearchHotel', [informIntent('SearchHotel')])),
      ],
    };
    expect(dialogueCandidates(d, 'dev', services).map((e) => e.text)).toEqual(['Find a hotel in Paris.']);
  });
});

describe('ExampleSelector', () => {
  const dialogue = (id: string, service: string, intent: string, text: string): SgdDialogueLike => ({
    dialogue_id: id,
    turns: [user(text, frame(service, intent, [informIntent(intent)]))],
  });

  it('uses the first split that has candidates, caps, de-duplicates and is order independent', () => {
    const build = (reverse: boolean) => {
      const sel = new ExampleSelector(['Banks_1', 'Hotels_1']);
      const train = Array.from({ length: 10 }, (_, i) => dialogue(`1_${i}`, 'Banks_1', 'CheckBalance', i < 2 ? 'Balance please.' : `Balance ${i}?`));
      for (const d of reverse ? [...train].reverse() : train) sel.add(d, 'train');
      sel.add(dialogue('9_1', 'Banks_1', 'CheckBalance', 'From test.'), 'test');
      sel.add(dialogue('9_2', 'Hotels_1', 'SearchHotel', 'Hotel from test.'), 'test');
      return sel.select(5, ['CheckBalance']);
    };
    const a = build(false);
    expect(a.filter((e) => e.service === 'Banks_1')).toHaveLength(5);
    expect(a.every((e) => e.service !== 'Banks_1' || e.split === 'train')).toBe(true);
    expect(a.at(-1)).toMatchObject({ service: 'Hotels_1', split: 'test' });
    expect(a.map((e) => e.dialogue_id)).toEqual(build(true).map((e) => e.dialogue_id));
    const texts = a.map((e) => e.text.toLowerCase());
    expect(new Set(texts).size).toBe(texts.length);
  });
});
