import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { describe, expect, test } from 'vitest';
import { EspeakTts } from './espeak.ts';
import { createDefaultTts, FallbackTts } from './fallback.ts';
import { FliteTts } from './flite.ts';
import { liveSynthesisProcesses } from './process-tts.ts';
import { splitSentences, TtsAbortedError, type TtsChunk } from './tts-provider.ts';

/** Synthesizer processes that are children of this test process (flite / espeak-ng). */
function childSynthesizers(): string[] {
  try {
    return execFileSync('ps', ['-o', 'pid=,comm=', '--ppid', String(process.pid)], { encoding: 'utf8' })
      .split('\n')
      .filter((l) => /flite|espeak/.test(l));
  } catch {
    return []; // ps exits 1 when there are no children at all
  }
}

const REPLY = 'I can help with your bill. Your latest statement was issued on the first of the month. The balance is due within fourteen days. To look up the details, please say or key in your account number.';

describe('splitSentences', () => {
  test('splits at sentence ends, not at abbreviations, initials or decimals', () => {
    expect(splitSentences('Hello there.  How are you? Fine!')).toEqual(['Hello there.', 'How are you?', 'Fine!']);
    expect(splitSentences('Dr. Smith will call at 3.30 p.m. today. Thanks.')).toEqual(['Dr. Smith will call at 3.30 p.m. today.', 'Thanks.']);
    expect(splitSentences('No punctuation at the end')).toEqual(['No punctuation at the end']);
    expect(splitSentences('  \n ')).toEqual([]);
    expect(splitSentences('--rate 5. Ok.')).toEqual(['rate 5.', 'Ok.']);
    expect(splitSentences('It opens at 9 a.m. tomorrow. Bye.')).toEqual(['It opens at 9 a.m. tomorrow.', 'Bye.']);
  });

  test('splits an over-long sentence at a clause boundary', () => {
    const long = `${'word '.repeat(30).trim()}, ${'more '.repeat(30).trim()}.`;
    const parts = splitSentences(long, 160);
    expect(parts.length).toBe(2);
    expect(parts.every((p) => p.length <= 160)).toBe(true);
    expect(parts.join(' ')).toBe(long);
  });
});

describe('flite (embedded default)', () => {
  test('streams sentence by sentence at the call rate; the first audio leaves before the reply is synthesized', async () => {
    const tts = new FliteTts();
    const t0 = performance.now();
    const chunks: (TtsChunk & { at: number })[] = [];
    for await (const c of tts.synthesize({ text: REPLY, sampleRate: 8000 })) chunks.push({ ...c, at: performance.now() - t0 });
    const total = performance.now() - t0;
    expect(chunks.map((c) => c.sentenceIndex)).toEqual([0, 1, 2, 3]);
    expect(chunks.map((c) => c.last)).toEqual([false, false, false, true]);
    expect(chunks.every((c) => c.sampleRate === 8000)).toBe(true);
    const audioMs = chunks.reduce((n, c) => n + c.pcm.length, 0) / 8;
    expect(audioMs).toBeGreaterThan(6000); // ~10 s of speech for 35 words
    expect(audioMs).toBeLessThan(20000);
    // the first sentence is out while later ones are still being made
    expect(chunks[0]!.at).toBeLessThan(chunks[3]!.at);
    // Time to first audio, streamed vs the whole reply synthesized as one piece (median of 5 each).
    const ttfa: number[] = [];
    const whole: number[] = [];
    const oneSentence = REPLY.replace(/\. /g, ', ');
    for (let i = 0; i < 5; i++) {
      let t = performance.now();
      for await (const _ of tts.synthesize({ text: REPLY, sampleRate: 8000 })) {
        ttfa.push(performance.now() - t);
        break;
      }
      t = performance.now();
      for await (const _ of tts.synthesize({ text: oneSentence, sampleRate: 8000 })) whole.push(performance.now() - t);
    }
    console.log(JSON.stringify({ tts: 'flite', voice: 'slt', sentences: 4, audio_ms: Math.round(audioMs), time_to_first_audio_ms_p50: round1(median(ttfa)), whole_reply_first_audio_ms_p50: round1(median(whole)), all_sentences_streamed_ms: round1(total) }));
    expect(median(ttfa)).toBeLessThan(median(whole));
  });

  test('speaks 16 kHz too, with another voice', async () => {
    const out: TtsChunk[] = [];
    for await (const c of new FliteTts({ voice: 'awb' }).synthesize({ text: 'Hello.', sampleRate: 16000 })) out.push(c);
    expect(out).toHaveLength(1);
    expect(out[0]!.sampleRate).toBe(16000);
    expect(out[0]!.pcm.length).toBeGreaterThan(16000 * 0.3);
  });

  test('abort kills the synthesis processes (barge-in) and rejects with TtsAbortedError', async () => {
    const tts = new FliteTts();
    const ctl = new AbortController();
    const got: number[] = [];
    const run = (async () => {
      for await (const c of tts.synthesize({ text: REPLY, sampleRate: 8000, signal: ctl.signal })) {
        got.push(c.sentenceIndex);
        ctl.abort('barge_in'); // the look-ahead process for sentence 2 is running now
      }
    })();
    await expect(run).rejects.toBeInstanceOf(TtsAbortedError);
    expect(got).toEqual([0]);
    expect(liveSynthesisProcesses()).toBe(0);
    expect(childSynthesizers()).toEqual([]);
    // flite's scratch WAV files are gone too
    const shm = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
    expect(readdirSync(shm).filter((f) => f.startsWith(`cc-tts-${process.pid}-`))).toEqual([]);
  });

  test('a consumer that stops early leaves no process behind', async () => {
    for await (const c of new FliteTts().synthesize({ text: REPLY, sampleRate: 8000 })) {
      expect(c.sentenceIndex).toBe(0);
      break;
    }
    expect(liveSynthesisProcesses()).toBe(0);
    expect(childSynthesizers()).toEqual([]);
  });

  test('an already aborted signal synthesizes nothing', async () => {
    const ctl = new AbortController();
    ctl.abort();
    const it = new FliteTts().synthesize({ text: 'Hello.', sampleRate: 8000, signal: ctl.signal });
    await expect(it[Symbol.asyncIterator]().next()).rejects.toBeInstanceOf(TtsAbortedError);
  });
});

describe('espeak-ng (fallback)', () => {
  test('speaks, resampled from 22.05 kHz', async () => {
    const out: TtsChunk[] = [];
    for await (const c of new EspeakTts().synthesize({ text: 'Hello there. Goodbye.', sampleRate: 8000 })) out.push(c);
    expect(out).toHaveLength(2);
    expect(out[0]!.pcm.length).toBeGreaterThan(8000 * 0.3);
  });

  test('takes over when flite is not installed', async () => {
    const tts = new FallbackTts(new FliteTts({ bin: 'flite-not-installed' }), new EspeakTts());
    const out: TtsChunk[] = [];
    for await (const c of tts.synthesize({ text: 'Hello.', sampleRate: 8000, voice: 'slt' })) out.push(c);
    expect(out).toHaveLength(1);
    expect(out[0]!.pcm.length).toBeGreaterThan(1000);
    expect(createDefaultTts().name).toBe('flite|espeak-ng');
  });
});

const round1 = (x: number) => Math.round(x * 10) / 10;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
