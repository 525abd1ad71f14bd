/**
 * Builds every text list of the telephone ASR work from the shared data (nothing is downloaded):
 *
 *   work/text/lm-sgd-train.txt   normalised SGD *train* USER utterances (LM text, with repeats)
 *   work/text/lm-kb.txt          normalised sentences of the demo KB articles (ABCD guidelines + demo articles)
 *   work/text/lm-control.txt     contact-center control phrases (evals/asr/text/control-phrases.txt)
 *   work/lists/train.tsv         utterances to synthesise for adaptation (SGD train, training voices)
 *   work/lists/dev.tsv           tuning set (SGD dev, training voices, other sentences)
 *   work/lists/dev-m6.tsv        the same dev sentences, espeak-ng variant m6 (held out from training and test)
 *   work/lists/test-slt.tsv      held-out voice flite slt on SGD *test* sentences
 *   work/lists/test-espeak.tsv   held-out espeak-ng voice (variant f3) on the same SGD test sentences
 *   work/lists/test-fsdd.tsv     real 8 kHz spoken digits (FSDD, 6 speakers)
 *   work/lists/test-harvard.tsv  real 16 kHz read sentences (SpeechBrain samples), to be telephone-banded
 *
 * TSV columns: id, voice spec, channel spec, reference words, synthesiser text (or source wav).
 * Usage: tsx evals/asr/prepare-text.ts [--train N] [--dev N] [--test N] [--seed S]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildKbArticles } from '../../services/seed/src/kb-articles.ts';
import { ensureDir, evalDir, pick, rng, sharedData, shuffle, systemModel, workDir } from './lib/common.ts';
import { dictionaryWords, fitToDictionary, normalise, type Normalised } from './lib/normalize.ts';

const args = process.argv.slice(2);
const opt = (name: string, dflt: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const N_TRAIN = opt('train', 4000);
const N_DEV = opt('dev', 150);
const N_TEST = opt('test', 200);
const SEED = opt('seed', 20240607);

/** Training voices. Held out for test: flite slt; espeak-ng variant f3 (any base voice). */
export const FLITE_TRAIN = ['kal', 'kal16', 'awb', 'rms'] as const;
export const ESPEAK_TRAIN_BASE = ['en-us', 'en', 'en-gb-x-rp', 'en-029', 'en-gb-x-gbclan', 'en-us-nyc', 'en-gb-x-gbcwmd', 'en-gb-scotland'] as const;
export const ESPEAK_TRAIN_VARIANT = ['m1', 'm2', 'm3', 'm4', 'm5', 'm7', 'f1', 'f2', 'f4', 'f5', 'klatt2', 'klatt3'] as const;
const TEST_ESPEAK = 'espeak:en-us+f3:s=165:p=55';
const DEV_ESPEAK = 'espeak:en-gb-x-rp+m6:s=160:p=45';

const dict = dictionaryWords(readFileSync(join(systemModel, 'cmudict-en-us.dict'), 'utf8'));

function userTurns(split: 'train' | 'dev' | 'test'): string[] {
  const out: string[] = [];
  for (const line of readFileSync(join(sharedData, 'dialogues/sgd', `${split}.jsonl`), 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const d = JSON.parse(line) as { turns: Array<{ speaker: string; utterance: string }> };
    for (const t of d.turns) if (t.speaker === 'USER') out.push(t.utterance);
  }
  return out;
}

interface Stat { total: number; kept: number }
function normaliseAll(texts: string[], stat: Stat): Normalised[] {
  const out: Normalised[] = [];
  for (const t of texts) {
    stat.total++;
    const n = normalise(t);
    const f = n && fitToDictionary(n, dict);
    if (f) {
      out.push(f);
      stat.kept++;
    }
  }
  return out;
}

const nWords = (n: Normalised) => n.words.split(' ').length;

function trainVoice(rand: () => number): string {
  if (rand() < 0.6) {
    const v = pick(FLITE_TRAIN, rand);
    // Speed perturbation (sox speed: tempo, pitch and formants together) gives other vocal tract lengths.
    const speed = pick([0.9, 1.0, 1.0, 1.1, 1.2], rand);
    return `flite:${v}:speed=${speed}`;
  }
  const base = pick(ESPEAK_TRAIN_BASE, rand);
  const variant = pick(ESPEAK_TRAIN_VARIANT, rand);
  const s = 130 + Math.floor(rand() * 60);
  const p = 30 + Math.floor(rand() * 40);
  return `espeak:${base}+${variant}:s=${s}:p=${p}`;
}

/** Channel for training data: band (full 0–4 kHz or G.712-like), level, optional noise. Always 8 kHz μ-law. */
function trainChannel(rand: () => number): string {
  const band = pick(['full', 'full', '300-3400', '200-3600'], rand);
  const level = -3 - Math.floor(rand() * 18);
  const snr = rand() < 0.3 ? 20 + Math.floor(rand() * 20) : 0;
  return `band=${band}:level=${level}:snr=${snr}`;
}
/** Fixed test channel: G.712-like 300–3400 Hz band, −12 dBFS peak, μ-law, no added noise. */
const TEST_CHANNEL = 'band=300-3400:level=-12:snr=0';

function main() {
  const rand = rng(SEED);
  const textDir = ensureDir(join(workDir, 'text'));
  const listDir = ensureDir(join(workDir, 'lists'));
  const stats: Record<string, Stat> = {};

  // --- LM text ---------------------------------------------------------------------------------
  const train = normaliseAll(userTurns('train'), (stats.train = { total: 0, kept: 0 }));
  writeFileSync(join(textDir, 'lm-sgd-train.txt'), train.map((n) => n.words).join('\n') + '\n');
  const kbSentences = buildKbArticles()
    .flatMap((a) => [a.title, ...a.body.split('\n')])
    .map((l) => l.replace(/^#+\s*|^[-*]\s+|^\d+\.\s+|\*\*|`|\[|\]\([^)]*\)/g, '').trim())
    .flatMap((l) => l.split(/(?<=[.?!])\s+/))
    .filter((l) => l.length > 0);
  const kb = normaliseAll(kbSentences, (stats.kb = { total: 0, kept: 0 }));
  writeFileSync(join(textDir, 'lm-kb.txt'), kb.map((n) => n.words).join('\n') + '\n');
  // Control phrases (escalation, repair, navigation) that SGD's assistant dialogues lack.
  const control = readFileSync(join(evalDir, 'text/control-phrases.txt'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() && !l.startsWith('#'));
  const controlN = normaliseAll(control, (stats.control = { total: 0, kept: 0 }));
  writeFileSync(join(textDir, 'lm-control.txt'), controlN.map((n) => n.words).join('\n') + '\n');

  // --- synthesis lists -------------------------------------------------------------------------
  const row = (id: string, voice: string, channel: string, n: Normalised) => [id, voice, channel, n.words, n.tts].join('\t');
  const uniq = (xs: Normalised[]) => [...new Map(xs.map((x) => [x.words, x])).values()];

  const trainPool = shuffle(uniq(train).filter((n) => nWords(n) >= 2 && nWords(n) <= 20), rand).slice(0, N_TRAIN);
  writeFileSync(join(listDir, 'train.tsv'), trainPool.map((n, i) => row(`tr${String(i).padStart(5, '0')}`, trainVoice(rand), trainChannel(rand), n)).join('\n') + '\n');

  const dev = normaliseAll(userTurns('dev'), (stats.dev = { total: 0, kept: 0 }));
  const devPool = shuffle(uniq(dev).filter((n) => nWords(n) >= 2 && nWords(n) <= 25), rand).slice(0, N_DEV);
  writeFileSync(join(listDir, 'dev.tsv'), devPool.map((n, i) => row(`dv${String(i).padStart(4, '0')}`, trainVoice(rand), TEST_CHANNEL, n)).join('\n') + '\n');
  // Held-out-voice tuning set: the same dev sentences spoken by an espeak-ng variant (m6) used
  // neither in training nor in the test sets.
  writeFileSync(join(listDir, 'dev-m6.tsv'), devPool.map((n, i) => row(`dm${String(i).padStart(4, '0')}`, DEV_ESPEAK, TEST_CHANNEL, n)).join('\n') + '\n');

  // Test sentences: sampled from the SGD test split's caller turns with their natural frequency
  // (so short frequent replies occur as often as on a real line), then de-duplicated.
  const test = normaliseAll(userTurns('test'), (stats.test = { total: 0, kept: 0 }));
  const testPool = uniq(shuffle(test.filter((n) => nWords(n) >= 1 && nWords(n) <= 25), rand)).slice(0, N_TEST);
  writeFileSync(join(listDir, 'test-slt.tsv'), testPool.map((n, i) => row(`ts${String(i).padStart(4, '0')}`, 'flite:slt:speed=1.0', TEST_CHANNEL, n)).join('\n') + '\n');
  writeFileSync(join(listDir, 'test-espeak.tsv'), testPool.map((n, i) => row(`te${String(i).padStart(4, '0')}`, TEST_ESPEAK, TEST_CHANNEL, n)).join('\n') + '\n');
  const trainSet = new Set(train.map((n) => n.words));
  const overlap = testPool.filter((n) => trainSet.has(n.words)).length;

  // --- real recordings -------------------------------------------------------------------------
  const tsv = readFileSync(join(sharedData, 'audio/transcripts.tsv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split('\t') as [string, string]);
  const fsdd = tsv.filter(([f]) => f.startsWith('fsdd/'));
  writeFileSync(join(listDir, 'test-fsdd.tsv'), fsdd.map(([f, text]) => [f.replace(/^fsdd\/|\.wav$/g, '').replace(/_/g, '-'), 'real', 'none', text.toLowerCase(), join(sharedData, 'audio', f)].join('\t')).join('\n') + '\n');
  // SpeechBrain samples: four annotations differ from the canonical Harvard sentences (see the
  // shared README); the canonical wording is used as reference.
  const canonical: Record<string, string> = {
    'speechbrain/spk1_snt2.wav': 'drop the two when you add the figures',
    'speechbrain/spk2_snt1.wav': 'we are sure that one war is enough',
    'speechbrain/spk2_snt3.wav': 'tear a thin sheet from the yellow pad',
    'speechbrain/spk2_snt5.wav': 'canned pears lack full flavor',
  };
  const harvard = tsv.filter(([f]) => f.startsWith('speechbrain/'));
  writeFileSync(
    join(listDir, 'test-harvard.tsv'),
    harvard.map(([f, text]) => [f.replace(/^speechbrain\/|\.wav$/g, '').replace(/_/g, '-'), 'real', TEST_CHANNEL, canonical[f] ?? text.toLowerCase(), join(sharedData, 'audio', f)].join('\t')).join('\n') + '\n',
  );

  const summary = {
    seed: SEED,
    normalisation: Object.fromEntries(Object.entries(stats).map(([k, s]) => [k, { ...s, keptPct: +((100 * s.kept) / s.total).toFixed(1) }])),
    lists: { train: trainPool.length, dev: devPool.length, test: testPool.length, fsdd: fsdd.length, harvard: harvard.length },
    testSentencesAlsoInTrainText: overlap,
  };
  writeFileSync(join(listDir, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');
  console.log(JSON.stringify(summary, null, 2));
}

main();
