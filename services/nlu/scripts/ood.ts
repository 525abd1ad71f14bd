/** Out-of-scope signals on CLINC150: AUROC (in-scope vs oos) of max probability, max logit, energy, margin, vocabulary coverage. `npx tsx services/nlu/scripts/ood.ts [oos]` */
import { loadClinc150 } from '../src/intent/datasets.ts';
import { trainIntentModel } from '../src/intent/train.ts';
import { normalizeWords } from '../src/intent/normalize.ts';
const c = loadClinc150('/work/shared/data/intents/clinc150/data_full.json');
const withOos = process.argv[2] === 'oos';
const { model } = trainIntentModel(withOos ? [...c.train, ...c.oos_train] : c.train, { folds: 0 });
const T = 1;
function scores(text: string) {
  const w = normalizeWords(text);
  const { logits, coverage } = model.logitsOf(w);
  const C = logits.length; const oc = model.oosClass;
  let max = -Infinity, second = -Infinity; for (let i = 0; i < C; i++) { if (i === oc) continue; const v = logits[i]!; if (v > max) { second = max; max = v; } else if (v > second) second = v; }
  let lse = 0; let all = Math.max(max, oc !== null ? logits[oc]! : -Infinity); for (let i = 0; i < C; i++) lse += Math.exp(logits[i]! - all); lse = all + Math.log(lse);
  let lseIn = 0; for (let i = 0; i < C; i++) if (i !== oc) lseIn += Math.exp(logits[i]! - max); lseIn = max + Math.log(lseIn);
  const maxP = Math.exp(max - lse);
  return { maxP, maxLogit: max, energy: lseIn, margin: max - second, oosP: oc !== null ? Math.exp(logits[oc]! - lse) : 0, coverage, len: w.length };
}
function auroc(pos: number[], neg: number[]) { // P(score_in > score_oos)
  const all = [...pos.map((s) => [s, 1]), ...neg.map((s) => [s, 0])].sort((a, b) => a[0]! - b[0]!);
  let rank = 0, sumPos = 0; all.forEach(([, l], i) => { if (l) sumPos += i + 1; }); void rank;
  return (sumPos - pos.length * (pos.length + 1) / 2) / (pos.length * neg.length);
}
for (const [name, ins, oos] of [['val', c.val, c.oos_val], ['test', c.test, c.oos_test]] as const) {
  const si = ins.map((e) => scores(e.text)); const so = oos.map((e) => scores(e.text));
  const out: Record<string, number> = {};
  for (const k of ['maxP', 'maxLogit', 'energy', 'margin', 'coverage'] as const) out[k] = +auroc(si.map((s) => s[k]), so.map((s) => s[k])).toFixed(4);
  out['-oosP'] = +auroc(si.map((s) => -s.oosP), so.map((s) => -s.oosP)).toFixed(4);
  out['maxP*cov'] = +auroc(si.map((s) => s.maxP * Math.sqrt(s.coverage)), so.map((s) => s.maxP * Math.sqrt(s.coverage))).toFixed(4);
  console.log(name, JSON.stringify(out));
}
