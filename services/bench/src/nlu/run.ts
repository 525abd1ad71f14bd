import { join } from 'node:path';
import { cpus } from 'node:os';
import {
  evaluateIntentModel,
  loadBanking77,
  loadClinc150,
  recalibrateIntentModel,
  serializeIntentModel,
  trainIntentModel,
  trainingDataSha256,
  type IntentModel,
} from '@cc/nlu';
import { intFlags } from '../args.ts';

const DATA = process.env.INTENT_DATA_DIR ?? '/work/shared/data/intents';

/**
 * `pnpm bench nlu [--seed N]`: the intent recipe of @cc/nlu trained and scored on the public
 * benchmarks in INTENT_DATA_DIR (default /work/shared/data/intents).
 *
 * Figures (accuracies are fractions 0–1, times in seconds / microseconds):
 * - banking77_acc: Banking77 test top-1 accuracy, model trained on the 10,003 train utterances (no rejection).
 * - clinc_inscope_acc: CLINC150 (full) test in-scope accuracy as the dataset scores it: right intent
 *   AND not rejected. Model trained on train + oos_train (an out-of-scope class), temperature and
 *   per-intent thresholds fitted on val + oos_val.
 * - clinc_oos_recall: share of the 1,000 oos_test utterances rejected.
 * - clinc_top1_acc: CLINC150 test top-1 accuracy ignoring rejection.
 * - clinc_false_reject: in-scope test utterances with the right top intent that the thresholds rejected.
 * - train_s: wall time to train the CLINC150 model incl. calibration and thresholds; banking77_train_s likewise.
 * - infer_p50_us / infer_p95_us: classify() per utterance (normalise → features → logits → decision) over
 *   the 5,500 CLINC150 test utterances, one core.
 * - clinc_val_*: the same on the held-out set the thresholds were fitted on (val + oos_val).
 * - clinc_ece_raw / clinc_ece_calibrated: expected calibration error on val before / after temperature scaling.
 * - clinc_global_threshold_*: test figures with one global threshold instead of per-intent ones.
 * - clinc_tradeoff: test in-scope accuracy / OOS recall with thresholds refitted for other assumed OOS shares of traffic (default 0.2).
 * - clinc_model_bytes: size of the CLINC150 model artifact (JSON, int8 weights).
 */
export async function benchNlu(argv: string[], log: (line: string) => void) {
  const flags = intFlags(argv, { seed: 1 });
  const net = { seed: flags.seed };

  log(`Banking77 (${join(DATA, 'banking77')})`);
  const b77 = loadBanking77(join(DATA, 'banking77'));
  let t = performance.now();
  const bank = trainIntentModel(b77.train, { name: 'banking77', net, folds: 0, log: (l) => log('  ' + l) });
  const bankTrainS = (performance.now() - t) / 1000;
  const bankEval = evaluateIntentModel(bank.model, b77.test);
  log(`  test top-1 ${(bankEval.acc * 100).toFixed(2)}% (${b77.test.length} utterances), trained in ${bankTrainS.toFixed(1)} s`);

  log(`CLINC150 full (${join(DATA, 'clinc150')})`);
  const c = loadClinc150(join(DATA, 'clinc150', 'data_full.json'));
  t = performance.now();
  const clinc = trainIntentModel([...c.train, ...c.oos_train], { name: 'clinc150', net, heldOut: [...c.val, ...c.oos_val], log: (l) => log('  ' + l) });
  const clincTrainS = (performance.now() - t) / 1000;
  const test = [...c.test, ...c.oos_test];
  warmUp(clinc.model, test);
  const clincEval = evaluateIntentModel(clinc.model, test);
  const falseReject = c.test.filter((e) => {
    const r = clinc.model.classify(e.text);
    return r.outOfScope && r.top[0]?.intent === e.intent;
  }).length / c.test.length;
  const bytes = Buffer.byteLength(serializeIntentModel(clinc.model, { dataSha256: trainingDataSha256(c.train), examples: c.train.length + c.oos_train.length, report: clinc.report }));
  log(
    `  test in-scope ${(clincEval.inscopeAcc * 100).toFixed(2)}%, oos recall ${((clincEval.oosRecall ?? 0) * 100).toFixed(1)}%, ` +
      `top-1 ${(clincEval.acc * 100).toFixed(2)}%; classify p50 ${clincEval.latencyUs.p50.toFixed(0)} µs, p95 ${clincEval.latencyUs.p95.toFixed(0)} µs`,
  );

  const r3 = (x: number) => Math.round(x * 1e4) / 1e4;
  // the same weights, thresholds refitted on val for other assumed OOS shares, and with one global threshold
  const heldOut = [...c.val, ...c.oos_val];
  const tradeoff = [0.05, 0.1, 0.2, 0.3].map((oosShare) => {
    const m = recalibrateIntentModel(clinc.model, heldOut, { thresholds: { oosShare } }).model;
    const e = evaluateIntentModel(m, test);
    return { oos_share: oosShare, inscope_acc: r3(e.inscopeAcc), oos_recall: r3(e.oosRecall ?? 0) };
  });
  const globalOnly = evaluateIntentModel(recalibrateIntentModel(clinc.model, heldOut, { thresholds: { priorStrengths: [1e9] } }).model, test);
  log(`  trade-off (thresholds refitted on val): ${tradeoff.map((t) => `share ${t.oos_share}: ${(t.inscope_acc * 100).toFixed(1)}% / ${(t.oos_recall * 100).toFixed(1)}%`).join('; ')}`);
  log(`  one global threshold instead of per-intent: ${(globalOnly.inscopeAcc * 100).toFixed(2)}% / ${((globalOnly.oosRecall ?? 0) * 100).toFixed(1)}%`);
  return {
    banking77_acc: r3(bankEval.acc),
    clinc_inscope_acc: r3(clincEval.inscopeAcc),
    clinc_oos_recall: r3(clincEval.oosRecall ?? 0),
    clinc_top1_acc: r3(clincEval.acc),
    clinc_false_reject: r3(falseReject),
    clinc_val_inscope_acc: clinc.report.heldOut.source === 'none' ? null : r3(clinc.report.heldOut.inscopeAcc),
    clinc_val_oos_recall: clinc.report.heldOut.source === 'none' ? null : r3(clinc.report.heldOut.oosRecall ?? 0),
    clinc_ece_raw: clinc.report.heldOut.source === 'none' ? null : r3(clinc.report.heldOut.eceRaw),
    clinc_ece_calibrated: clinc.report.heldOut.source === 'none' ? null : r3(clinc.report.heldOut.eceCalibrated),
    clinc_temperature: r3(clinc.report.temperature),
    clinc_threshold_global: clinc.report.thresholds.global,
    clinc_threshold_prior: clinc.report.thresholds.priorStrength,
    clinc_global_threshold_inscope_acc: r3(globalOnly.inscopeAcc),
    clinc_global_threshold_oos_recall: r3(globalOnly.oosRecall ?? 0),
    clinc_tradeoff: tradeoff,
    train_s: Math.round(clincTrainS * 10) / 10,
    banking77_train_s: Math.round(bankTrainS * 10) / 10,
    infer_p50_us: Math.round(clincEval.latencyUs.p50),
    infer_p95_us: Math.round(clincEval.latencyUs.p95),
    clinc_model_bytes: bytes,
    method: 'linear softmax over TF-IDF word 1-2 + char 2-5 grams, Adam; temperature scaling; per-intent thresholds',
    cpu: cpus()[0]?.model ?? 'unknown',
    seed: flags.seed,
  };
}

function warmUp(model: IntentModel, items: { text: string }[]) {
  for (let i = 0; i < Math.min(500, items.length); i++) model.classify(items[i]!.text);
}
