/**
 * Decode latency of the Node provider (services/voice/src/asr/pocketsphinx.ts) on held-out 8 kHz
 * utterances: cold start (process start + model load + first decode) and warm per-utterance decode
 * time for the open domain LM and the digits grammar.
 *
 * Usage: tsx evals/asr/latency.ts [--n 30] [--min-ms 2000] [--max-ms 3000]
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeWav } from '../../services/voice/src/audio/wav.ts';
import { PocketsphinxAsr } from '../../services/voice/src/asr/pocketsphinx.ts';
import { workDir } from './lib/common.ts';

const args = process.argv.slice(2);
const opt = (k: string, d: number) => (args.includes(`--${k}`) ? Number(args[args.indexOf(`--${k}`) + 1]) : d);
const N = opt('n', 30);
const MIN = opt('min-ms', 2000);
const MAX = opt('max-ms', 3000);

function load(set: string): Array<{ id: string; pcm: Int16Array; ms: number }> {
  const ids = readFileSync(join(workDir, 'audio', `${set}.fileids`), 'utf8').trim().split('\n');
  return ids.map((id) => {
    const w = decodeWav(readFileSync(join(workDir, 'audio', `${id}.wav`)));
    return { id, pcm: w.channels[0]!, ms: (w.channels[0]!.length / w.sampleRate) * 1000 };
  });
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};

async function main() {
  const utts = load('test-slt').filter((u) => u.ms >= MIN && u.ms <= MAX).slice(0, N);
  const digits = load('test-fsdd');
  const asr = new PocketsphinxAsr();
  const report: Record<string, unknown> = { utterances: utts.length, audioMsMean: Math.round(utts.reduce((a, u) => a + u.ms, 0) / utts.length) };

  let t0 = performance.now();
  await asr.transcribe(utts[0]!.pcm, 8000);
  report.coldFirstDecodeMs = Math.round(performance.now() - t0);

  const lm: number[] = [];
  const rtf: number[] = [];
  for (const u of utts) {
    t0 = performance.now();
    await asr.transcribe(u.pcm, 8000);
    const ms = performance.now() - t0;
    lm.push(ms);
    rtf.push(ms / u.ms);
  }
  report.lm = { medianMs: Math.round(pct(lm, 50)), p90Ms: Math.round(pct(lm, 90)), maxMs: Math.round(Math.max(...lm)), medianRtf: +pct(rtf, 50).toFixed(3) };

  t0 = performance.now();
  await asr.transcribe(digits[0]!.pcm, 8000, { grammar: 'digits' });
  report.digitsColdMs = Math.round(performance.now() - t0);
  const dg: number[] = [];
  for (const u of digits) {
    t0 = performance.now();
    await asr.transcribe(u.pcm, 8000, { grammar: 'digits' });
    dg.push(performance.now() - t0);
  }
  report.digits = { medianMs: Math.round(pct(dg, 50)), p90Ms: Math.round(pct(dg, 90)), audioMsMean: Math.round(digits.reduce((a, u) => a + u.ms, 0) / digits.length) };
  await asr.close();
  console.log(JSON.stringify(report, null, 2));
}

await main();
