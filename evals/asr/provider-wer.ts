/**
 * End-to-end check of the Node provider: decodes a test set through PocketsphinxAsr (8 kHz PCM in,
 * its own half-band upsampler, long-lived pocketsphinx_batch) instead of decode.sh (sox
 * upsampling), scores with sclite, and appends the row to work/results.tsv as "<name>".
 * The two should agree closely; a gap would mean the runtime path differs from the evaluated one.
 *
 * Usage: tsx evals/asr/provider-wer.ts [set=test-slt] [grammar]
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeWav } from '../../services/voice/src/audio/wav.ts';
import type { AsrGrammar } from '../../services/voice/src/asr/asr-provider.ts';
import { PocketsphinxAsr } from '../../services/voice/src/asr/pocketsphinx.ts';
import { ensureDir, workDir } from './lib/common.ts';

const set = process.argv[2] ?? 'test-slt';
const grammar = process.argv[3] as AsrGrammar | undefined;
const name = `node-provider${grammar ? `+${grammar}` : '+domainLM'}`;
const ids = readFileSync(join(workDir, 'audio', `${set}.fileids`), 'utf8').trim().split('\n');
const asr = new PocketsphinxAsr();
await asr.warmup([grammar ?? 'lm']);
const lines: string[] = [];
let audioMs = 0;
let decodeMs = 0;
for (const id of ids) {
  const wav = decodeWav(readFileSync(join(workDir, 'audio', `${id}.wav`)));
  const r = await asr.transcribe(wav.channels[0]!, wav.sampleRate, grammar ? { grammar } : {});
  audioMs += r.audioMs;
  decodeMs += r.endedAt - r.startedAt;
  const uttId = id.split('/').pop()!;
  lines.push(`${r.text} (${uttId.includes('-') ? uttId : `u-${uttId}`})`);
}
await asr.close();
const out = ensureDir(join(workDir, 'decode', set));
writeFileSync(join(out, `${name}.hyp.sclite.trn`), lines.join('\n') + '\n');
const sys = execFileSync('/usr/lib/sctk/bin/sclite', ['-r', join(out, 'ref.trn'), 'trn', '-h', join(out, `${name}.hyp.sclite.trn`), 'trn', '-i', 'rm', '-o', 'sum', 'stdout'], { encoding: 'utf8' });
writeFileSync(join(out, `${name}.sys`), sys);
const sum = sys.split('\n').find((l) => /\|\s*Sum\/Avg/.test(l))!.replace(/[|]/g, ' ').trim().split(/\s+/);
const [, , wrd, corr, sub, del, ins, err, serr] = sum;
const row = [set, name, err, corr, sub, del, ins, wrd, serr, (decodeMs / audioMs).toFixed(3)].join('\t');
appendFileSync(join(workDir, 'results.tsv'), row + '\n');
console.log(row, `(wall-clock decode time / audio time; ${ids.length} utterances)`);
