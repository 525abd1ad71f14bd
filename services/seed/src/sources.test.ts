import { readFileSync } from 'node:fs';
import { sha256Hex } from '@cc/core';
import { describe, expect, it } from 'vitest';
import { SGD_SERVICES, abcdSubflows, dataUrl, loadAbcd, loadSgdIntentExamples, loadSgdServices } from './sources.ts';

/** sha256 of the unmodified copies, as published in /work/shared/data/README.md. */
const PUBLISHED_SHA256: Record<string, string> = {
  'abcd/kb.json': '7b1cdb1002e3353451f9a3c3f389f1eabd8ae5d46c1d76f567c71819711f3857',
  'abcd/guidelines.json': '9264557941df24fe075138a632a2345172971573124a354ccb2ceee2a12e4c2a',
  'abcd/ontology.json': '2e1c1d763518ba084ada7f7bc8b54f0b489c81da3b170875cf9340891e06524c',
  'abcd/LICENSE': '3ab7e179a7f13027b7bc64293541f0e9beacca3701cade67fb8fce78c2d9317b',
  'sgd/train_schema.json': '97b6c21673aa7e5c2d1ceef52aa35170c565223cdcbf33bb24c69739bda04a82',
  'sgd/test_schema.json': '0b4af32e01695aec4788681fe6b22fb7ee908907269f5ac7167d01f4c4132bcb',
  'sgd/LICENSE.txt': '71a43a169b52bb1b39510b65ec5b43b4bbb59196d449a835fe58b50af6a72742',
};

describe('copied reference data', () => {
  it.each(Object.entries(PUBLISHED_SHA256))('%s is an unmodified copy', (file, sha) => {
    expect(sha256Hex(readFileSync(dataUrl(file)))).toBe(sha);
  });

  it('has a README naming sources, commits and licences', () => {
    const readme = readFileSync(dataUrl('README.md'), 'utf8');
    for (const s of ['asappresearch/abcd', '6b8700ce67c6b37b062dd7a60abc76d7ef832a97', 'dstc8-schema-guided-dialogue', 'e852981ae34990f4358979625854259302feaa78', 'CC BY-SA 4.0', 'MIT', 'sgd-intent-examples.jsonl']) {
      expect(readme).toContain(s);
    }
  });
});

describe('loaders', () => {
  it('loads the eight SGD services with their intents', () => {
    const services = loadSgdServices();
    expect(services.map((s) => s.service_name)).toEqual([...SGD_SERVICES]);
    expect(services.flatMap((s) => s.intents)).toHaveLength(18);
  });

  it('joins the 55 ABCD subflows across kb, ontology and guidelines', () => {
    const refs = abcdSubflows();
    expect(refs).toHaveLength(55);
    expect(new Set(refs.map((r) => r.subflow))).toEqual(new Set(Object.keys(loadAbcd().kb)));
    const reset = refs.find((r) => r.subflow === 'reset_2fa');
    expect(reset?.subflowTitle).toBe('Reset Two-Factor Auth');
    expect(refs.find((r) => r.subflow === 'slow_speed')?.subflowTitle).toBe('Website Too Slow');
    expect(refs.find((r) => r.flow === 'shipping_issue' && r.subflow === 'cost')?.subflowTitle).toBe('Shipping Cost');
  });
});

describe('extracted SGD intent examples', () => {
  const examples = loadSgdIntentExamples();
  const key = (e: { service: string; intent: string }) => `${e.service}/${e.intent}`;

  it('covers every intent of the chosen services, at most 40 each, no duplicates', () => {
    const expected = loadSgdServices().flatMap((s) => s.intents.map((i) => `${s.service_name}/${i.name}`));
    const counts = new Map<string, number>();
    for (const e of examples) counts.set(key(e), (counts.get(key(e)) ?? 0) + 1);
    expect([...counts.keys()].sort()).toEqual([...expected].sort());
    for (const n of counts.values()) expect(n).toBeGreaterThanOrEqual(30);
    for (const n of counts.values()) expect(n).toBeLessThanOrEqual(40);
    for (const k of expected) {
      const texts = examples.filter((e) => key(e) === k).map((e) => e.text.toLowerCase());
      expect(new Set(texts).size).toBe(texts.length);
    }
  });

  it('takes each intent from a single split, test only for services absent from train and dev', () => {
    const splits = new Map<string, Set<string>>();
    for (const e of examples) splits.set(key(e), (splits.get(key(e)) ?? new Set()).add(e.split));
    for (const s of splits.values()) expect(s.size).toBe(1);
    const testServices = new Set(examples.filter((e) => e.split === 'test').map((e) => e.service));
    expect([...testServices].sort()).toEqual(['Payment_1', 'Trains_1']);
  });
});
