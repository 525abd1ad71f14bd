/** How the committed demo tenant model treats other domains: CLINC150 oos_test and a few probes. `npx tsx services/nlu/scripts/demo-oos.ts` */
import { loadModelManifest } from '@cc/core';
import { loadIntentModel } from '../src/intent/artifact.ts';
import { loadClinc150 } from '../src/intent/datasets.ts';
import { DEMO_MODEL_ID } from '../src/intent/demo.ts';

const model = await loadIntentModel(loadModelManifest().models.find((m) => m.id === DEMO_MODEL_ID)!);
const c = loadClinc150('/work/shared/data/intents/clinc150/data_full.json');
const rejected = c.oos_test.filter((e) => model.classify(e.text).outOfScope).length / c.oos_test.length;
const offDomain = c.test.filter((e) => ['weather', 'tell_joke', 'recipe', 'meaning_of_life', 'spelling', 'calories', 'timer', 'play_music'].includes(e.intent));
const rejectedOff = offDomain.filter((e) => model.classify(e.text).outOfScope).length / offDomain.length;
console.log(JSON.stringify({ clinc_oos_test_rejected: +rejected.toFixed(4), clinc_offdomain_intents_rejected: +rejectedOff.toFixed(4), offdomain_items: offDomain.length }));
for (const t of process.argv.slice(2)) console.log(JSON.stringify(t), JSON.stringify(model.classify(t)));
