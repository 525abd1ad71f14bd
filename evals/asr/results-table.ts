/**
 * Markdown tables from work/results.tsv (rows appended by decode.sh; the last row of each
 * set+system wins). Usage: tsx evals/asr/results-table.ts [sets…]
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { workDir } from './lib/common.ts';

const rows = new Map<string, string[]>();
for (const line of readFileSync(join(workDir, 'results.tsv'), 'utf8').split('\n')) {
  const f = line.split('\t');
  if (f.length >= 10) rows.set(`${f[0]}\t${f[1]}`, f);
}
const TITLES: Record<string, string> = {
  'test-slt': 'Held-out voice flite `slt` (female; all training voices male or espeak-ng), 200 SGD test-split caller sentences, 8 kHz μ-law, 300–3400 Hz',
  'test-espeak': 'Held-out espeak-ng voice `en-us+f3`, same 200 sentences and channel',
  'test-harvard': 'Real speech: 10 SpeechBrain Harvard-sentence recordings (2 speakers) put through the same telephone channel (out of domain for the domain LM)',
  'test-fsdd': 'Real 8 kHz speech: 50 FSDD spoken digits (6 speakers), digits grammar',
  dev: 'Tuning set: 150 SGD dev sentences, training voices',
  'dev-m6': 'Tuning set: the same 150 sentences, espeak-ng variant m6 (held out)',
  'x-slt-wb': 'Reference: the slt test sentences at 16 kHz wideband, no telephone channel',
  'x-harvard-wb': 'Reference: the Harvard recordings at their original 16 kHz, no telephone channel',
};
const wanted = process.argv.slice(2);
const sets = wanted.length ? wanted : ['test-slt', 'test-espeak', 'test-harvard', 'test-fsdd'];
for (const set of sets) {
  const mine = [...rows.values()].filter((r) => r[0] === set);
  if (mine.length === 0) continue;
  console.log(`#### ${TITLES[set] ?? set}\n`);
  const fsdd = set === 'test-fsdd';
  console.log(`| system | WER % | sub / del / ins % | ${fsdd ? 'digits right %' : 'sentence error %'} | words | CPU s per s of audio |`);
  console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
  for (const r of mine) {
    const [, name, err, , sub, del, ins, wrd, serr, xrt] = r as [string, string, string, string, string, string, string, string, string, string];
    const last = fsdd ? (100 - Number(serr)).toFixed(1) : serr;
    console.log(`| ${name} | ${err} | ${sub} / ${del} / ${ins} | ${last} | ${wrd} | ${xrt} |`);
  }
  console.log('');
}
