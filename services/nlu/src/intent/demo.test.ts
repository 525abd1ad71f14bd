import { statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadModelManifest, modelsDir } from '@cc/core';
import { buildIntentCatalog } from '@cc/seed';
import { loadIntentModel, trainingDataSha256 } from './artifact.ts';
import { DEMO_MODEL_ID, demoExamples } from './demo.ts';

describe('the committed demo tenant model (models/manifest.json)', async () => {
  const entry = loadModelManifest().models.find((m) => m.id === DEMO_MODEL_ID);

  it('is listed, small, and loads after its sha256 check', async () => {
    expect(entry, `${DEMO_MODEL_ID} missing from models/manifest.json: run pnpm -C services/nlu train-demo`).toBeDefined();
    expect(entry!.kind).toBe('intent');
    expect(statSync(join(modelsDir, entry!.path)).size).toBeLessThan(5 * 2 ** 20);
    const model = await loadIntentModel(entry!);
    expect(model.intents).toEqual(buildIntentCatalog().map((i) => i.name).sort());
  });

  it('was trained on the current intent catalog', () => {
    expect(entry!.details.trainingDataSha256, 'the seed intent catalog changed: retrain with pnpm -C services/nlu train-demo').toBe(trainingDataSha256(demoExamples()));
    expect(entry!.details.examples).toBe(demoExamples().length);
  });

  it('recognises caller requests and rejects what the tenant does not handle', async () => {
    const model = await loadIntentModel(entry!);
    expect(model.classify('I want to transfer money to my checking account').intent).toBe('banks.transfer_money');
    expect(model.classify('what is my balance').intent).toBe('banks.check_balance');
    expect(model.classify('i forgot my password').intent).toBe('account_access.recover_password');
    expect(model.classify('I need a hotel in London').intent).toBe('hotels.search_hotel');
    for (const text of ['tell me a joke', 'what is the weather tomorrow', 'asdkjh qwpoe', '¿dónde está mi dinero?', '', 'x'.repeat(5000)]) {
      const r = model.classify(text);
      expect(r.outOfScope, text).toBe(true);
      expect(r.confidence, text).toBeLessThan(0.5);
    }
  });
});
