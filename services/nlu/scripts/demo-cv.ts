/** Demo tenant recipe variants by 5-fold held-out accuracy: `npx tsx services/nlu/scripts/demo-cv.ts '[{"minSteps":500},{"balanced":false}]'` */
import { demoExamples } from '../src/intent/demo.ts';
import { trainIntentModel } from '../src/intent/train.ts';
const ex = demoExamples();
for (const net of JSON.parse(process.argv[2] ?? '[{}]')) {
  const { report } = trainIntentModel(ex, { net, features: JSON.parse(process.argv[3] ?? '{}') });
  const h = report.heldOut;
  console.log(JSON.stringify({ net, acc: +(h.acc * 100).toFixed(1), inscope: +(h.inscopeAcc * 100).toFixed(1), T: +report.temperature.toFixed(2), g: report.thresholds.global, eceRaw: +h.eceRaw.toFixed(3), ece: +h.eceCalibrated.toFixed(3), s: +report.trainSeconds.toFixed(1) }));
}
