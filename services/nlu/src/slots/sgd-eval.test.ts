import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { scoreSlotCases, spokenForm, type KindScore, type SlotCase } from './eval.ts';

/**
 * Measures the extractors on held-out SGD user turns (fixtures/sgd-slot-cases.json: dev and test
 * splits; the rules were written against train), as typed and rewritten in spoken form (numbers in
 * words, no punctuation, lower case). Figures are in docs/nlu-slots-sentiment.md.
 */
const fixture = JSON.parse(readFileSync(new URL('./fixtures/sgd-slot-cases.json', import.meta.url), 'utf8')) as { cases: SlotCase[] };

function table(title: string, byKind: Record<string, KindScore>): string {
  const rows = Object.entries(byKind).map(([k, s]) => `${k.padEnd(7)} n=${String(s.n).padStart(3)} acc=${(s.accuracy * 100).toFixed(1)}% prec=${(s.precision * 100).toFixed(1)}% wrong=${s.wrong} ambiguous=${s.ambiguous} conflict=${s.conflict} missing=${s.missing}`);
  return [title, ...rows].join('\n');
}

// Floors a little under the measured figures: a drop below them is a regression.
const FLOOR: Record<string, { accuracy: number; precision: number }> = {
  amount: { accuracy: 0.97, precision: 0.98 },
  date: { accuracy: 0.97, precision: 0.98 },
  time: { accuracy: 0.94, precision: 0.98 },
  number: { accuracy: 0.96, precision: 0.98 },
  yes_no: { accuracy: 0.9, precision: 0.96 },
};

describe('SGD slot cases (held out)', () => {
  it('has the fixture', () => {
    expect(fixture.cases.length).toBeGreaterThan(1000);
  });

  for (const [name, transform] of [
    ['typed', (s: string) => s],
    ['spoken form', spokenForm],
  ] as const) {
    it(`scores ${name}`, () => {
      const { byKind } = scoreSlotCases(fixture.cases.map((c) => ({ ...c, utterance: transform(c.utterance) })));
      console.log(table(`SGD slot cases, ${name}`, byKind));
      for (const [kind, floor] of Object.entries(FLOOR)) {
        expect(byKind[kind]!.accuracy, `${kind} accuracy`).toBeGreaterThanOrEqual(floor.accuracy);
        expect(byKind[kind]!.precision, `${kind} precision`).toBeGreaterThanOrEqual(floor.precision);
      }
    });
  }
});
