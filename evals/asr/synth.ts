/**
 * Synthesises (or, for real recordings, re-channels) the utterances of a list made by prepare-text.ts
 * into telephone-band audio: 8 kHz, μ-law round trip (sox -e u-law and back), optional band limiting,
 * level change and added noise, as described by the list's channel column.
 *
 *   work/audio/<list>/<id>.wav   8 kHz 16-bit mono PCM, i.e. what the platform has after μ-law decoding
 *   work/audio/<list>.fileids    ids, one a line (sphinxtrain control file)
 *   work/audio/<list>.transcription  "<s> words </s> (id)" (sphinxtrain transcript)
 *   work/audio/<list>.trn        "words (id)" (sclite reference)
 *
 * Usage: tsx evals/asr/synth.ts <list> [--jobs 2]   (list = train | dev | test-slt | test-espeak | test-fsdd | test-harvard)
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ensureDir, workDir } from './lib/common.ts';

const run = promisify(execFile);
const list = process.argv[2];
if (!list) throw new Error('usage: synth.ts <list> [--jobs N]');
const jobsArg = process.argv.indexOf('--jobs');
const JOBS = jobsArg > 0 ? Number(process.argv[jobsArg + 1]) : 2;

const rows = readFileSync(join(workDir, 'lists', `${list}.tsv`), 'utf8').trim().split('\n').map((l) => l.split('\t'));
const outDir = ensureDir(join(workDir, 'audio', list));
const tmp = mkdtempSync(join(tmpdir(), 'asr-synth-'));

function parseSpec(spec: string): Record<string, string> {
  return Object.fromEntries(spec.split(':').filter((p) => p.includes('=')).map((p) => p.split('=') as [string, string]));
}

async function one(row: string[], k: number): Promise<void> {
  const [id, voice, channel, , text] = row as [string, string, string, string, string];
  const out = join(outDir, `${id}.wav`);
  if (existsSync(out)) return;
  const src = join(tmp, `${k}.src.wav`);
  const ul = join(tmp, `${k}.ul.wav`);
  const effects: string[] = [];
  if (voice === 'real') {
    await run('sox', ['-R', text, src]);
  } else if (voice.startsWith('flite:')) {
    const [, v] = voice.split(':');
    await run('flite', ['-voice', v!, '-t', text, '-o', src]);
    const speed = Number(parseSpec(voice).speed ?? '1');
    if (speed !== 1) effects.push('speed', String(speed));
  } else if (voice.startsWith('espeak:')) {
    const [, v] = voice.split(':');
    const p = parseSpec(voice);
    await run('espeak-ng', ['-v', v!, '-s', p.s ?? '160', '-p', p.p ?? '50', '-w', src, text]);
  } else throw new Error(`unknown voice ${voice}`);

  if (channel !== 'none') {
    const c = parseSpec(channel);
    effects.push('rate', '-v', '8000');
    if (c.band && c.band !== 'full') effects.push('sinc', c.band);
    effects.push('norm', c.level ?? '-12', 'pad', '0.15', '0.15');
    const snr = Number(c.snr ?? '0');
    let input = src;
    if (snr > 0) {
      // Pink noise at the given SNR relative to the (normalised) speech peak level, mixed before μ-law.
      const clean = join(tmp, `${k}.clean.wav`);
      await run('sox', ['-R', src, '-r', '8000', '-b', '16', clean, ...effects]);
      const dur = (await run('soxi', ['-D', clean])).stdout.trim();
      const noise = join(tmp, `${k}.noise.wav`);
      const noiseDb = Number(c.level ?? '-12') - snr;
      await run('sox', ['-R', '-n', '-r', '8000', '-b', '16', '-c', '1', noise, 'synth', dur, 'pinknoise', 'gain', '-n', String(noiseDb)]);
      const mixed = join(tmp, `${k}.mix.wav`);
      await run('sox', ['-R', '-m', clean, noise, mixed]);
      input = mixed;
      effects.length = 0;
    }
    // μ-law round trip: encode as G.711 μ-law (what Twilio/Genesys carry), decode back to 16-bit linear.
    await run('sox', ['-R', input, '-r', '8000', '-c', '1', '-e', 'u-law', '-b', '8', ul, ...effects]);
    await run('sox', ['-R', ul, '-e', 'signed', '-b', '16', out]);
  } else {
    await run('sox', ['-R', src, '-r', '8000', '-c', '1', '-e', 'signed', '-b', '16', out]);
  }
}

async function main() {
  let next = 0;
  let done = 0;
  const t0 = Date.now();
  const worker = async (k: number) => {
    while (next < rows.length) {
      const row = rows[next++]!;
      await one(row, k);
      if (++done % 250 === 0) console.error(`${list}: ${done}/${rows.length} (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
    }
  };
  await Promise.all(Array.from({ length: JOBS }, (_, k) => worker(k)));
  rmSync(tmp, { recursive: true, force: true });
  const base = join(workDir, 'audio', list);
  writeFileSync(`${base}.fileids`, rows.map((r) => `${list}/${r[0]}`).join('\n') + '\n');
  writeFileSync(`${base}.transcription`, rows.map((r) => `<s> ${r[3]} </s> (${r[0]})`).join('\n') + '\n');
  writeFileSync(`${base}.trn`, rows.map((r) => `${r[3]} (${r[0]})`).join('\n') + '\n');
  console.error(`${list}: ${rows.length} utterances in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
}

await main();
