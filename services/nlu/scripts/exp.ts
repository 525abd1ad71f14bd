import { loadBanking77, loadClinc150, type LabelledText } from '../src/datasets.ts';
import { Vectorizer, DEFAULT_FEATURES, type FeatureSpec } from '../src/features.ts';
import { normalizeWords } from '../src/normalize.ts';
import { trainNet, netLogits, DEFAULT_NET, type NetSpec, prng, shuffleInPlace } from '../src/nets.ts';

const D = '/work/shared/data/intents';
const which = process.argv[2] ?? 'b77';
const feat: FeatureSpec = { ...DEFAULT_FEATURES, ...JSON.parse(process.argv[3] ?? '{}') };
const net: NetSpec = { ...DEFAULT_NET, ...JSON.parse(process.argv[4] ?? '{}') };
const useTest = process.argv[5] === 'test';

let train: LabelledText[], dev: LabelledText[];
if (which === 'b77') {
  const b = loadBanking77(`${D}/banking77`);
  if (useTest) { train = b.train; dev = b.test; }
  else {
    const idx = [...b.train.keys()]; shuffleInPlace(idx, prng(7));
    const nDev = Math.round(b.train.length * 0.15);
    dev = idx.slice(0, nDev).map((i) => b.train[i]!); train = idx.slice(nDev).map((i) => b.train[i]!);
  }
} else {
  const c = loadClinc150(`${D}/clinc150/data_full.json`);
  train = c.train; dev = useTest ? c.test : c.val;
}
const labels = [...new Set(train.map((e) => e.intent))].sort();
const li = new Map(labels.map((l, i) => [l, i]));
const t0 = performance.now();
const tw = train.map((e) => normalizeWords(e.text));
const vec = Vectorizer.fit(tw, feat);
const X = tw.map((w) => vec.transform(w));
const y = Int32Array.from(train.map((e) => li.get(e.intent)!));
const t1 = performance.now();
const model = trainNet(X, y, vec.dim, labels.length, net);
const t2 = performance.now();
const z = new Float32Array(labels.length);
let ok = 0;
for (const e of dev) {
  netLogits(model, vec.transform(normalizeWords(e.text)), z);
  let b = 0; for (let c = 1; c < z.length; c++) if (z[c]! > z[b]!) b = c;
  if (labels[b] === e.intent) ok++;
}
console.log(JSON.stringify({ which, split: useTest ? 'test' : 'dev', acc: +(ok / dev.length * 100).toFixed(2), dim: vec.dim, feat_s: +((t1 - t0) / 1000).toFixed(1), train_s: +((t2 - t1) / 1000).toFixed(1), feat: process.argv[3] ?? '', net: process.argv[4] ?? '' }));
