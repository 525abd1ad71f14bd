import { parseArgs } from 'node:util';
import { GROUNDING_MODEL } from '@cc/knowledge';
import { median } from '../args.ts';
import { BEGIN_FILES, hallucinationDataDir, isHaluDev, loadBegin, loadHaluQa, type BeginSplit, type HaluQaRecord, type HaluQaSet } from './data.ts';
import { binaryMetrics, judgeBegin, judgeHalu, type Judgement } from './evaluate.ts';

/**
 * `pnpm bench grounding [--data DIR]`: the grounding checker of @cc/knowledge (no LLM) as a
 * hallucination detector.
 *
 * - HaluEval QA (one-turn and multi-turn): every record's right answer AND hallucinated answer are
 *   judged against its knowledge, with the question as context; accuracy over both. Reported on the
 *   test slice (index % 5 !== 0, 400 records = 800 judgements per set); the dev slice (index % 5 === 0)
 *   is what the checker was calibrated on. Published detection accuracy on HaluEval QA: ChatGPT 62.6%,
 *   Claude 2 69.8% (those are on the released qa_data.json, which these generation-stage files feed).
 * - BEGIN: Fully attributable vs Not fully attributable, response judged against the knowledge
 *   snippet with the previous turn as context. `begin_f1` is the macro-F1 of the two classes on the
 *   test file (wow); dev files are reported too. Generic rows are left out of every BEGIN figure
 *   (they make no attributable claim, and the checker treats a claim-free reply as supported) and
 *   are counted apart, with the share the checker accepted.
 */
export async function benchGrounding(argv: string[], log: (line: string) => void): Promise<object> {
  const { values } = parseArgs({ args: argv, options: { data: { type: 'string' } }, strict: true });
  const dir = hallucinationDataDir(values.data);
  const times: number[] = [];
  const keep = (js: Judgement[]) => {
    for (const j of js) times.push(j.ms);
    return js;
  };

  const halueval: Record<string, object> = {};
  const haluTest: Record<HaluQaSet, number> = { 'one-turn': 0, 'multi-turn': 0 };
  for (const set of ['one-turn', 'multi-turn'] as const) {
    const records = loadHaluQa(dir, set);
    const test = keep(judgeHalu(records.filter((r) => !isHaluDev(r))));
    const dev = keep(judgeHalu(records.filter(isHaluDev)));
    const testM = binaryMetrics(test);
    haluTest[set] = testM.accuracy;
    halueval[set.replace('-', '_')] = {
      test: testM,
      dev: binaryMetrics(dev),
      all: binaryMetrics([...test, ...dev]),
      length_controlled: lengthControlled(records.filter((r) => !isHaluDev(r)), test),
      length_baseline: lengthBaseline(records),
    };
    log(`HaluEval QA ${set}: test accuracy ${testM.accuracy} (${test.length} judgements), dev ${binaryMetrics(dev).accuracy}`);
  }

  const begin: Record<string, object> = {};
  let beginF1 = 0;
  for (const split of Object.keys(BEGIN_FILES) as BeginSplit[]) {
    const rows = loadBegin(dir, split);
    const js = keep(judgeBegin(rows));
    const m = binaryMetrics(js);
    const generic = rows.filter((r) => r.label === 'Generic');
    const genericJ = judgeBegin(generic.map((r) => ({ ...r, label: 'Fully attributable' as const })));
    begin[split] = { ...m, generic_rows: generic.length, generic_accepted: genericJ.length ? r4(genericJ.filter((j) => j.result.supported).length / genericJ.length) : null, by_model: byModel(rows, js) };
    if (split === 'test_wow') beginF1 = m.macro_f1;
    log(`BEGIN ${split}: macro-F1 ${m.macro_f1}, accuracy ${m.accuracy} (${js.length} rows, ${generic.length} Generic left out)`);
  }

  const sorted = [...times].sort((a, b) => a - b);
  return {
    halueval_qa_acc: haluTest['one-turn'],
    halueval_qa_multiturn_acc: haluTest['multi-turn'],
    begin_f1: beginF1,
    halueval: {
      ...halueval,
      split: 'dev = records with index % 5 == 0 (100 per set, used for calibration); test = the other 400',
      judged: 'right answer (should be supported) and hallucinated answer (should be flagged) of every record, question as context',
      published_reference_accuracy: { chatgpt: 0.626, claude_2: 0.698 },
    },
    begin: {
      ...begin,
      f1: 'macro-F1 over Fully attributable (grounded) and Not fully attributable (hallucinated); Generic rows left out',
    },
    checker: {
      scorer: GROUNDING_MODEL.version,
      threshold: GROUNDING_MODEL.threshold,
      judgements: times.length,
      ms_per_check_median: r4(median(times)),
      ms_per_check_p99: r4(sorted[Math.floor(sorted.length * 0.99)] ?? 0),
    },
  };
}

const words = (s: string) => s.split(/\s+/).filter(Boolean).length;

/**
 * The checker where answer length cannot help: hallucinated answers of at most 3 words (flagged
 * share) and right answers of 4 words or more (accepted share), on the test slice.
 */
function lengthControlled(records: readonly HaluQaRecord[], js: readonly Judgement[]): object {
  let shortH = 0;
  let shortHFlagged = 0;
  let longR = 0;
  let longRAccepted = 0;
  records.forEach((r, i) => {
    const right = js[2 * i]!;
    const halluc = js[2 * i + 1]!;
    if (words(r.hallucinatedAnswer) <= 3) {
      shortH++;
      if (!halluc.result.supported) shortHFlagged++;
    }
    if (words(r.rightAnswer) >= 4) {
      longR++;
      if (right.result.supported) longRAccepted++;
    }
  });
  return { hallucinated_short_n: shortH, hallucinated_short_flagged: shortH ? r4(shortHFlagged / shortH) : null, right_long_n: longR, right_long_accepted: longR ? r4(longRAccepted / longR) : null };
}

/**
 * A length-only baseline (flag an answer of L words or more; L chosen on the dev slice), to show
 * how much of HaluEval QA these generation-stage files give away by answer length alone.
 */
function lengthBaseline(records: readonly HaluQaRecord[]): object {
  const acc = (rs: readonly HaluQaRecord[], l: number) => rs.reduce((n, r) => n + (words(r.rightAnswer) < l ? 1 : 0) + (words(r.hallucinatedAnswer) >= l ? 1 : 0), 0) / (2 * rs.length);
  const dev = records.filter(isHaluDev);
  let best = 2;
  for (let l = 2; l <= 10; l++) if (acc(dev, l) > acc(dev, best)) best = l;
  return { flag_if_words_at_least: best, test_accuracy: r4(acc(records.filter((r) => !isHaluDev(r)), best)) };
}

function byModel(rows: ReturnType<typeof loadBegin>, js: Judgement[]): Record<string, number> {
  const labelled = rows.filter((r) => r.label !== 'Generic');
  const groups = new Map<string, Judgement[]>();
  labelled.forEach((r, i) => {
    const g = groups.get(r.model) ?? [];
    g.push(js[i]!);
    groups.set(r.model, g);
  });
  return Object.fromEntries([...groups.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([model, g]) => [model, binaryMetrics(g).accuracy]));
}

const r4 = (x: number) => Math.round(x * 1e4) / 1e4;
