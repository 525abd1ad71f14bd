import { describe, expect, it } from 'vitest';
import { ABCD_AUTHORED_EXAMPLES } from './abcd-examples.ts';
import { buildAllFlows } from './flows.ts';
import { IntentCatalogSchema, buildIntentCatalog } from './intents.ts';
import { loadSgdIntentExamples } from './sources.ts';

describe('buildIntentCatalog', () => {
  const catalog = buildIntentCatalog();

  it('has one intent per flow, named by the flow id, and validates', () => {
    expect(catalog.map((i) => i.name)).toEqual(buildAllFlows().map((f) => f.id));
    expect(catalog.every((i) => i.name === i.flow_id)).toBe(true);
    expect(IntentCatalogSchema.safeParse(catalog).success).toBe(true);
    expect(catalog.filter((i) => i.source === 'sgd')).toHaveLength(18);
    expect(catalog.filter((i) => i.source === 'abcd')).toHaveLength(55);
  });

  it('gives SGD intents their extracted dialogue examples', () => {
    const examples = loadSgdIntentExamples();
    for (const intent of catalog.filter((i) => i.source === 'sgd')) {
      expect(intent.example_origin).toBe('sgd_dialogues');
      expect(intent.licence).toBe('CC-BY-SA-4.0');
      expect(intent.examples.length).toBeGreaterThanOrEqual(30);
      expect(intent.examples.length).toBeLessThanOrEqual(40);
    }
    const transfer = catalog.find((i) => i.name === 'banks.transfer_money')!;
    expect(transfer.examples).toEqual(examples.filter((e) => e.service === 'Banks_1' && e.intent === 'TransferMoney').map((e) => e.text));
  });

  it('gives ABCD intents two authored examples each, marked as authored', () => {
    for (const intent of catalog.filter((i) => i.source === 'abcd')) {
      expect(intent.example_origin).toBe('authored_from_guidelines');
      expect(intent.examples).toHaveLength(2);
    }
    expect(Object.keys(ABCD_AUTHORED_EXAMPLES).sort()).toEqual(catalog.filter((i) => i.source === 'abcd').map((i) => i.name).sort());
    const texts = catalog.flatMap((i) => i.examples.map((t) => t.toLowerCase()));
    expect(new Set(texts).size).toBe(texts.length);
  });

  it('rejects duplicate intent names', () => {
    expect(IntentCatalogSchema.safeParse([catalog[0], catalog[0]]).success).toBe(false);
  });
});
