import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeWav } from '../audio/wav.ts';
import { AsrAbortedError } from './asr-provider.ts';
import { parseHypseg, PocketsphinxAsr } from './pocketsphinx.ts';
import { digitsFromWords, yesNoFromWords } from './slots.ts';

/**
 * Real decodes with the shipped telephone model (models/asr). Needs the Debian package
 * `pocketsphinx` (pocketsphinx_batch). Fixtures (see fixtures/NOTICE, evals/asr/make-fixtures.sh):
 * flite voice slt — held out from adaptation — through the test telephone channel, stored as
 * 8-bit μ-law WAV; two real 8 kHz FSDD digits.
 */

function requirePocketsphinx(): void {
  const r = spawnSync('pocketsphinx_batch', [], { encoding: 'utf8' });
  if (r.error) {
    throw new Error(
      'pocketsphinx_batch is not installed: the ASR tests need the Debian package "pocketsphinx" ' +
        '(apt-get install -y pocketsphinx). The model files themselves come from models/asr.',
    );
  }
}

function fixture(name: string): { pcm: Int16Array; rate: number } {
  const wav = decodeWav(readFileSync(new URL(`./fixtures/${name}`, import.meta.url)));
  return { pcm: wav.channels[0]!, rate: wav.sampleRate };
}

const words = (t: string) => new Set(t.split(' '));

describe('PocketsphinxAsr (8 kHz telephone audio)', () => {
  let asr: PocketsphinxAsr;

  beforeAll(async () => {
    requirePocketsphinx();
    asr = new PocketsphinxAsr();
    await asr.warmup(['lm', 'digits', 'yesno']);
  });
  afterAll(async () => {
    await asr?.close();
  });

  it('transcribes a held-out voice on μ-law telephone audio with the domain LM', async () => {
    const { pcm, rate } = fixture('balance.ulaw.wav');
    expect(rate).toBe(8000);
    const r = await asr.transcribe(pcm, rate);
    const got = words(r.text);
    // "i would like to check the balance of my savings account"
    for (const w of ['check', 'balance', 'savings', 'account']) expect(got, r.text).toContain(w);
    expect(r.mode).toBe('lm');
    expect(r.endedAt).toBeGreaterThanOrEqual(r.startedAt);
    expect(r.audioMs).toBeGreaterThan(2000);
    expect(r.words.length).toBeGreaterThan(4);
    for (const w of r.words) {
      expect(w.endMs).toBeGreaterThan(w.startMs);
      expect(w.endMs).toBeLessThanOrEqual(r.audioMs + 100);
    }
  });

  it('recognises a second utterance on the same warm process, and 16 kHz input', async () => {
    const { pcm } = fixture('flight.ulaw.wav');
    const r8 = await asr.transcribe(pcm, 8000);
    for (const w of ['flight', 'chicago']) expect(words(r8.text), r8.text).toContain(w);
    // The same audio handed over at 16 kHz goes through the down/up-sampling path.
    const up = new Int16Array(pcm.length * 2);
    for (let i = 0; i < pcm.length; i++) up[2 * i] = up[2 * i + 1] = pcm[i]!;
    const r16 = await asr.transcribe(up, 16000);
    expect(words(r16.text)).toContain('chicago');
  });

  it('hears an escalation request (contact-center control phrases are in the domain LM)', async () => {
    const r = await asr.transcribe(fixture('agent.ulaw.wav').pcm, 8000);
    for (const w of ['speak', 'human', 'agent']) expect(words(r.text), r.text).toContain(w);
  });

  it('captures a digit string with the digits grammar', async () => {
    const { pcm, rate } = fixture('digits.ulaw.wav');
    const r = await asr.transcribe(pcm, rate, { grammar: 'digits' });
    expect(r.mode).toBe('digits');
    expect(digitsFromWords(r.text)).toBe('4172');
  });

  it('recognises real 8 kHz spoken digits (FSDD) with the digits grammar', async () => {
    const seven = await asr.transcribe(fixture('fsdd-7_theo_0.wav').pcm, 8000, { grammar: 'digits' });
    expect(digitsFromWords(seven.text)).toBe('7');
    const three = await asr.transcribe(fixture('fsdd-3_theo_0.wav').pcm, 8000, { grammar: 'digits' });
    expect(digitsFromWords(three.text)).toBe('3');
  });

  it('captures a confirmation with the yes/no grammar', async () => {
    const r = await asr.transcribe(fixture('yes.ulaw.wav').pcm, 8000, { grammar: 'yesno' });
    expect(yesNoFromWords(r.text), r.text).toBe(true);
  });

  it('streams frames and returns the same final transcript, with partials', async () => {
    const { pcm } = fixture('balance.ulaw.wav');
    const partials: string[] = [];
    let gotPartial!: () => void;
    const firstPartial = new Promise<void>((r) => (gotPartial = r));
    const s = asr.stream({
      sampleRate: 8000,
      partialIntervalMs: 1000,
      onPartial: (p) => {
        partials.push(p.text);
        gotPartial();
      },
    });
    const half = Math.floor(pcm.length / 2);
    for (let i = 0; i < half; i += 160) s.write(pcm.subarray(i, Math.min(i + 160, half))); // 20 ms frames
    await firstPartial; // decoded on a separate process while more audio would be arriving
    for (let i = half; i < pcm.length; i += 160) s.write(pcm.subarray(i, Math.min(i + 160, pcm.length)));
    const final = await s.end();
    expect(words(final.text)).toContain('balance');
    expect(partials.length).toBeGreaterThan(0);
    expect(final.audioMs).toBeGreaterThan(2000);
  });

  it('cancels: a pre-aborted signal never decodes, aborting mid-decode kills it, and the next decode still works', async () => {
    const { pcm } = fixture('balance.ulaw.wav');
    await expect(asr.transcribe(pcm, 8000, { signal: AbortSignal.abort() })).rejects.toBeInstanceOf(AsrAbortedError);

    // A long utterance (the clip 8 times) so the decode is still running when the signal fires.
    const long = new Int16Array(pcm.length * 8);
    for (let k = 0; k < 8; k++) long.set(pcm, k * pcm.length);
    const ac = new AbortController();
    const t0 = Date.now();
    const p = asr.transcribe(long, 8000, { signal: ac.signal });
    setTimeout(() => ac.abort(new Error('caller hung up')), 150);
    await expect(p).rejects.toMatchObject({ code: 'asr_aborted', name: 'AbortError' });
    expect(Date.now() - t0).toBeLessThan(2000);

    const again = await asr.transcribe(fixture('flight.ulaw.wav').pcm, 8000);
    expect(words(again.text)).toContain('flight');
  });

  it('fails with a clear error when the recogniser binary is missing', async () => {
    const broken = new PocketsphinxAsr({ binary: '/nonexistent/pocketsphinx_batch' });
    await expect(broken.transcribe(new Int16Array(8000), 8000)).rejects.toThrow(/apt-get install pocketsphinx/);
    await broken.close();
  });
});

describe('parseHypseg', () => {
  it('reads words and frame times, dropping fillers and pronunciation variants', () => {
    const line = 'u1 S 0 T -100 A -90 L -10 0 -5 0 <s> 36 -5 -1 yes 63 -5 -1 that(2) 82 -5 -1 <sil> 90 -5 -1 works 120';
    expect(parseHypseg(line)).toEqual({
      id: 'u1',
      words: [
        { word: 'yes', startMs: 360, endMs: 630 },
        { word: 'that', startMs: 630, endMs: 820 },
        { word: 'works', startMs: 900, endMs: 1200 },
      ],
    });
    // Grammar decodes carry the FSG's null transitions.
    const fsg = 'dg S 0 T -5309 A -4635 L -674 0 -167 -337 <sil> 29 -889 0 four 57 0 0 (NULL) 58 -520 0 one 74 -746 -337 <sil> 100';
    expect(parseHypseg(fsg)?.words.map((w) => w.word)).toEqual(['four', 'one']);
    expect(parseHypseg('garbage')).toBeNull();
  });
});
