import { mkdtempSync, readFileSync, writeFileSync, existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ModelEntry, loadModelManifest, sha256Hex } from '@cc/core';
import { loadIntentModel, parseIntentArtifact, readIntentArtifact, trainingDataSha256, writeIntentArtifact } from './artifact.ts';
import { trainIntentModel } from './train.ts';
import { toyIntentData, TOY_OOS } from './testing.ts';

const toy = toyIntentData();
const { model, report } = trainIntentModel(toy.train, { name: 'toy-bank', net: { minSteps: 200 }, folds: 3 });
const summary = { dataSha256: trainingDataSha256(toy.train), examples: toy.train.length, report };
const OTHER_ENTRY = `    {
      "id": "vad-x",
      "kind": "vad",
      "path": "vad/x.onnx",
      "format": "onnx",
      "source": "s",
      "licence": "l",
      "sha256": "${sha256Hex('x')}",
      "bytes": 1,
      "details": { "inputs": ["input"], "sampleRates": [8000, 16000] }
    }`;

function modelsDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'nlu-models-'));
  mkdirSync(join(dir, 'vad'));
  writeFileSync(join(dir, 'vad', 'x.onnx'), 'x');
  writeFileSync(join(dir, 'manifest.json'), `{\n  "models": [\n${OTHER_ENTRY}\n  ]\n}\n`);
  return dir;
}

describe('intent model artifact', () => {
  it('round-trips through file and manifest with the same predictions', async () => {
    const dir = modelsDir();
    const { file, entry } = writeIntentArtifact(model, summary, { modelsDir: dir, source: 'toy data', licence: 'MIT', now: new Date('2026-01-01T00:00:00Z') });
    expect(file).toMatch(/intents\/toy-bank-[0-9a-f]{12}\.json$/);
    expect(entry.path).toBe(`intents/${file.split('/').pop()}`);
    expect(entry.sha256).toBe(sha256Hex(readFileSync(file)));
    expect(entry.sha256.slice(0, 12)).toBe(file.match(/-([0-9a-f]{12})\.json$/)![1]);
    const loaded = await loadIntentModel(loadModelManifest(dir).models.find((m) => m.id === 'intent-toy-bank')!, dir);
    for (const text of [...toy.test.slice(0, 30).map((e) => e.text), ...TOY_OOS, '', 'zzz qqq']) {
      const a = model.classify(text);
      const b = loaded.classify(text);
      expect(b.intent).toBe(a.intent);
      expect(b.outOfScope).toBe(a.outOfScope);
      expect(b.confidence).toBe(a.confidence);
    }
    expect(loaded.intents).toEqual(model.intents);
  });

  it('writes a valid manifest entry with the training details, leaving other entries as they were', () => {
    const dir = modelsDir();
    const { entry } = writeIntentArtifact(model, summary, { modelsDir: dir, source: 'toy data', licence: 'MIT', now: new Date('2026-01-01T00:00:00Z') });
    const manifestText = readFileSync(join(dir, 'manifest.json'), 'utf8');
    expect(manifestText).toContain(OTHER_ENTRY); // byte-for-byte
    const parsed = ModelEntry.parse(loadModelManifest(dir).models[1]);
    expect(parsed).toEqual(entry);
    expect(parsed).toMatchObject({ id: 'intent-toy-bank', kind: 'intent', format: 'cc-intent-json-v1', licence: 'MIT' });
    expect(parsed.details).toMatchObject({
      trainingDataSha256: trainingDataSha256(toy.train),
      examples: toy.train.length,
      intents: report.intents,
      created: '2026-01-01T00:00:00.000Z',
      heldOut: { source: 'k-fold', folds: 3 },
      thresholds: { method: 'recall-quantile' },
    });
    expect(Object.keys((parsed.details as { thresholds: { perIntent: object } }).thresholds.perIntent)).toEqual(report.intents);
  });

  it('replaces its own entry on retraining and removes the old artifact', () => {
    const dir = modelsDir();
    const first = writeIntentArtifact(model, summary, { modelsDir: dir, source: 's', licence: 'MIT' });
    const retrained = trainIntentModel(toy.train.slice(10), { name: 'toy-bank', net: { minSteps: 200 }, folds: 3 });
    const second = writeIntentArtifact(retrained.model, { ...summary, report: retrained.report }, { modelsDir: dir, source: 's', licence: 'MIT' });
    expect(second.file).not.toBe(first.file);
    expect(existsSync(first.file)).toBe(false);
    expect(loadModelManifest(dir).models.map((m) => m.id)).toEqual(['vad-x', 'intent-toy-bank']);
  });

  it('refuses a file whose sha256 does not match the manifest, naming the file', async () => {
    const dir = modelsDir();
    const { file, entry } = writeIntentArtifact(model, summary, { modelsDir: dir, source: 's', licence: 'MIT' });
    const text = readFileSync(file, 'utf8');
    writeFileSync(file, text.replace('"temperature":', '"temperature": ').slice(0, text.length)); // same size, different bytes
    await expect(loadIntentModel(entry, dir)).rejects.toThrow(new RegExp(`sha256.*${file.replace(/[.]/g, '\\.')}`));
  });

  it('reports a corrupt artifact with a clear error naming the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nlu-bad-'));
    const text = readFileSync(writeIntentArtifact(model, summary, { modelsDir: modelsDir(), source: 's', licence: 'MIT' }).file, 'utf8');
    const cases: [string, RegExp][] = [
      ['{"format":', /not valid JSON/],
      ['{"format":"something-else"}', /format/],
      [text.replace(/"keys":"[^"]{8}/, '"keys":"'), /features\.keys/],
      [text.replace('"thresholds":[', '"thresholds":[0.5,'), /thresholds/],
    ];
    for (const [i, [bad, why]] of cases.entries()) {
      const file = join(dir, `bad-${i}.json`);
      writeFileSync(file, bad);
      expect(() => readIntentArtifact(file)).toThrow(why);
      expect(() => readIntentArtifact(file)).toThrow(new RegExp(`corrupt.*${file.replace(/[.]/g, '\\.')}|${file.replace(/[.]/g, '\\.')}.*corrupt`));
    }
    expect(() => readIntentArtifact(join(dir, 'missing.json'))).toThrow(/missing\.json/);
    expect(() => parseIntentArtifact('[]', 'x.json')).toThrow(/x\.json/);
  });

  it('refuses to write outside the models folder or with a bad name', () => {
    const dir = modelsDir();
    expect(() => writeIntentArtifact(model, summary, { modelsDir: dir, outDir: tmpdir(), source: 's', licence: 'l' })).toThrow(/inside the models folder/);
  });
});
