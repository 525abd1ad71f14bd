/**
 * The comparisons behind docs/nlu.md: train each member (feature spec + net spec) on Banking77 train
 * minus a 15% dev split (seeded) or CLINC150 train, score dev (or test with `test`), then the
 * probability-averaged ensemble of all members. KNN=k adds a cosine k-nearest-neighbour member.
 *   npx tsx services/nlu/scripts/compare.ts b77|clinc '[{"feat":{},"net":{"epochs":8}}, ...]' [test]
 */
import { loadBanking77, loadClinc150, type LabelledText } from '../src/intent/datasets.ts';
import { Vectorizer, DEFAULT_FEATURES, type FeatureSpec, type SparseRow } from '../src/intent/features.ts';
import { normalizeWords } from '../src/intent/normalize.ts';
import { trainNet, netLogits, DEFAULT_NET, type NetSpec, prng, shuffleInPlace, softmaxInPlace } from '../src/intent/nets.ts';
const D = '/work/shared/data/intents';
const which = process.argv[2] ?? 'b77';
const members: { feat: Partial<FeatureSpec>; net: Partial<NetSpec> }[] = JSON.parse(process.argv[3] ?? '[{"feat":{},"net":{}}]');
const useTest = process.argv[4] === 'test';
let train: LabelledText[], dev: LabelledText[];
if (which === 'b77') {
  const b = loadBanking77(`${D}/banking77`);
  if (useTest) { train = b.train; dev = b.test; } else {
    const idx = [...b.train.keys()]; shuffleInPlace(idx, prng(7));
    const nDev = Math.round(b.train.length * 0.15);
    dev = idx.slice(0, nDev).map((i) => b.train[i]!); train = idx.slice(nDev).map((i) => b.train[i]!);
  }
} else { const c = loadClinc150(`${D}/clinc150/data_full.json`); train = c.train; dev = useTest ? c.test : c.val; }
const labels = [...new Set(train.map((e) => e.intent))].sort();
const li = new Map(labels.map((l, i) => [l, i]));
const tw = train.map((e) => normalizeWords(e.text));
const dw = dev.map((e) => normalizeWords(e.text));
const y = Int32Array.from(train.map((e) => li.get(e.intent)!));
const yd = dev.map((e) => li.get(e.intent)!);
const C = labels.length;
const cache = new Map<string, { vec: Vectorizer; X: SparseRow[]; Xd: SparseRow[] }>();
const acc = (P: Float64Array[]) => { let ok = 0; P.forEach((p, i) => { let b = 0; for (let c = 1; c < C; c++) if (p[c]! > p[b]!) b = c; if (b === yd[i]) ok++; }); return +(ok / P.length * 100).toFixed(2); };
const nll = (P: Float64Array[]) => +(P.reduce((a, p, i) => a - Math.log(Math.max(p[yd[i]!]!, 1e-12)), 0) / P.length).toFixed(4);
const probs: Float64Array[][] = [];
for (const m of members) {
  const fk = JSON.stringify(m.feat);
  let f = cache.get(fk);
  if (!f) { const vec = Vectorizer.fit(tw, { ...DEFAULT_FEATURES, ...m.feat }); f = { vec, X: tw.map((w) => vec.transform(w)), Xd: dw.map((w) => vec.transform(w)) }; cache.set(fk, f); }
  const t = process.cpuUsage();
  const net = trainNet(f.X, y, f.vec.dim, C, { ...DEFAULT_NET, ...m.net });
  const u = process.cpuUsage(t);
  const z = new Float32Array(C);
  const P = f.Xd.map((x) => { netLogits(net, x, z); const p = Float64Array.from(z); softmaxInPlace(p); return p; });
  probs.push(P);
  console.log(JSON.stringify({ which, split: useTest ? 'test' : 'dev', acc: acc(P), nll: nll(P), cpu_s: +((u.user + u.system) / 1e6).toFixed(1), dim: f.vec.dim, ...m }));
}
const knnK = Number(process.env.KNN ?? 0);
if (knnK > 0) {
  const f = cache.values().next().value!;
  const post = new Map<number, { r: number[]; v: number[] }>();
  f.X.forEach((x, r) => { let n = 0; for (const v of x.val) n += v * v; n = Math.sqrt(n); x.idx.forEach((j, p) => { let e = post.get(j); if (!e) post.set(j, (e = { r: [], v: [] })); e.r.push(r); e.v.push(x.val[p]! / n); }); });
  const tau = Number(process.env.TAU ?? 0.05);
  const sims = new Float64Array(f.X.length);
  const P = f.Xd.map((x) => {
    sims.fill(0); let n = 0; for (const v of x.val) n += v * v; n = Math.sqrt(n) || 1;
    x.idx.forEach((j, p) => { const e = post.get(j); if (!e) return; const q = x.val[p]! / n; for (let i = 0; i < e.r.length; i++) sims[e.r[i]!]! += q * e.v[i]!; });
    const top = [...sims.keys()].sort((a, b) => sims[b]! - sims[a]!).slice(0, knnK);
    const p = new Float64Array(C).fill(1e-4 / C); for (const r of top) p[y[r]!]! += Math.exp((sims[r]! - sims[top[0]!]!) / tau);
    let s = 0; for (const v of p) s += v; for (let c = 0; c < C; c++) p[c]! /= s; return p;
  });
  probs.push(P);
  console.log(JSON.stringify({ knn: knnK, tau, acc: acc(P), nll: nll(P) }));
}
if (probs.length > 1) {
  const avg = dev.map((_, i) => { const p = new Float64Array(C); for (const P of probs) for (let c = 0; c < C; c++) p[c]! += P[i]![c]! / probs.length; return p; });
  console.log(JSON.stringify({ ensemble: probs.length, acc: acc(avg), nll: nll(avg) }));
  const lavg = dev.map((_, i) => { const p = new Float64Array(C); for (const P of probs) for (let c = 0; c < C; c++) p[c]! += Math.log(P[i]![c]! + 1e-12) / probs.length; softmaxInPlace(p); return p; });
  console.log(JSON.stringify({ ensemble_logavg: probs.length, acc: acc(lavg), nll: nll(lavg) }));
}
