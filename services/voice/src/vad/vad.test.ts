import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { modelsDir } from '@cc/core';
import { decodeWav, resample } from '../audio/index.ts';
import { FliteTts } from '../tts/flite.ts';
import { Endpointer } from './endpointer.ts';
import { loadSileroVad } from './silero.ts';
import { frameScores, parseRttm, type Segment } from './vad-eval.ts';
import { SileroVadProvider, type VadEvent, type VadOptions } from './vad.ts';

const DATA = '/work/shared/data/audio/silero-vad';

async function segmentsOf(provider: SileroVadProvider, pcm: Int16Array, rate: 8000 | 16000, opts: Partial<VadOptions>, frameMs = 20) {
  const vad = provider.create(rate, opts);
  const events: VadEvent[] = [];
  const step = (rate * frameMs) / 1000;
  for (let i = 0; i < pcm.length; i += step) events.push(...(await vad.push(pcm.subarray(i, i + step))));
  events.push(...vad.flush());
  const segments: Segment[] = events.flatMap((e) => (e.type === 'speech_end' ? [{ startMs: e.startMs, endMs: e.endMs }] : []));
  return { events, segments };
}

describe('endpointer', () => {
  const feed = (ep: Endpointer, probs: number[], windowMs = 32) => probs.map((p, i) => ep.window(p, i * windowMs, (i + 1) * windowMs)).filter((e) => e !== undefined);

  test('starts after minSpeechMs, ends after the hangover, reports onset and end of speech', () => {
    const ep = new Endpointer({ minSpeechMs: 96, silenceMs: 160 });
    const evs = feed(ep, [0.1, 0.1, 0.9, 0.9, 0.9, 0.9, 0.9, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1]);
    expect(evs[0]).toEqual({ type: 'start', startMs: 64, atMs: 160 });
    // silence begins at window 7 (224 ms); hangover 160 ms reached at the end of window 11 (384 ms)
    expect(evs[1]).toEqual({ type: 'end', startMs: 64, endMs: 224, atMs: 384, forced: false });
  });

  test('hysteresis: a blip below minSpeechMs is ignored, mid-range windows neither start nor end speech', () => {
    const ep = new Endpointer({ threshold: 0.5, negThreshold: 0.3, minSpeechMs: 96, silenceMs: 96 });
    expect(feed(ep, [0.9, 0.1, 0.9, 0.1])).toEqual([]);
    const ep2 = new Endpointer({ threshold: 0.5, negThreshold: 0.3, minSpeechMs: 96, silenceMs: 96 });
    // 0.4 sustains a candidate and an utterance but does not end it
    const evs = feed(ep2, [0.9, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4, 0.2, 0.2, 0.2]);
    expect(evs.map((e) => e.type)).toEqual(['start', 'end']);
    expect(evs[1]).toMatchObject({ endMs: 224 });
  });

  test('a pause shorter than the hangover does not end the utterance; maxUtteranceMs cuts it', () => {
    const ep = new Endpointer({ minSpeechMs: 32, silenceMs: 200, maxUtteranceMs: 640 });
    const evs = feed(ep, [0.9, 0.9, 0.1, 0.1, 0.1, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9]);
    // …and speech still going on after the cut starts the next utterance
    expect(evs).toEqual([
      { type: 'start', startMs: 0, atMs: 32 },
      { type: 'end', startMs: 0, endMs: 640, atMs: 640, forced: true },
      { type: 'start', startMs: 640, atMs: 672 },
    ]);
  });

  test('rejects nonsense options', () => {
    expect(() => new Endpointer({ threshold: 1.5 })).toThrow(/threshold/);
    expect(() => new Endpointer({ threshold: 0.5, negThreshold: 0.7 })).toThrow(/negThreshold/);
    expect(() => new Endpointer({ silenceMs: -1 })).toThrow(/silenceMs/);
  });
});

describe('Silero VAD (onnxruntime-node)', () => {
  let provider: SileroVadProvider;
  let tmp: string;
  beforeAll(async () => {
    provider = await SileroVadProvider.load();
    tmp = mkdtempSync(join(tmpdir(), 'vad-manifest-'));
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  test('the model is verified against the manifest (sha256) before it loads', async () => {
    const manifest = JSON.parse(readFileSync(join(modelsDir, 'manifest.json'), 'utf8'));
    const entry = manifest.models.find((m: { id: string }) => m.id === 'silero-vad-v6.2');
    // Same size, one byte flipped: only the hash can catch it.
    const bytes = readFileSync(join(modelsDir, entry.path));
    bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 0xff;
    writeFileSync(join(tmp, 'model.onnx'), bytes);
    writeFileSync(join(tmp, 'manifest.json'), JSON.stringify({ models: [{ ...entry, path: 'model.onnx' }] }));
    await expect(loadSileroVad({ dir: tmp })).rejects.toMatchObject({ code: 'model_corrupt' });
    copyFileSync(join(modelsDir, entry.path), join(tmp, 'model.onnx'));
    const ok = await loadSileroVad({ dir: tmp });
    expect(ok.session.inputNames).toEqual(['input', 'state', 'sr']);
    await expect(loadSileroVad({ modelId: 'no-such-model' })).rejects.toMatchObject({ code: 'model_missing' });
  });

  test('frame-level precision/recall on aepyx (8 kHz, RTTM reference) at 8 kHz and 16 kHz', async () => {
    const wav = decodeWav(readFileSync(join(DATA, 'aepyx_8k.wav')));
    expect(wav.sampleRate).toBe(8000);
    const ref = parseRttm(readFileSync(join(DATA, 'aepyx.rttm'), 'utf8'), 'aepyx');
    expect(ref.length).toBe(30);
    const pcm8 = wav.channels[0]!;
    const durationMs = (pcm8.length / 8000) * 1000;
    const figures: Record<string, { precision: number; recall: number; f1: number; segments: number; xRealTime: number }> = {};
    // Silero's own segmentation defaults (min speech 250 ms, min silence 100 ms), and the pipeline's endpointing defaults.
    const configs: Record<string, Partial<VadOptions>> = {
      silero_defaults: { minSpeechMs: 250, silenceMs: 100, padMs: 30 },
      pipeline_defaults: { padMs: 30 },
    };
    for (const rate of [8000, 16000] as const) {
      const pcm = rate === 8000 ? pcm8 : resample(pcm8, 8000, 16000);
      for (const [name, cfg] of Object.entries(configs)) {
        const t0 = performance.now();
        const { segments } = await segmentsOf(provider, pcm, rate, cfg);
        const ms = performance.now() - t0;
        const s = frameScores(ref, segments, durationMs);
        figures[`${rate}_${name}`] = { precision: round3(s.precision), recall: round3(s.recall), f1: round3(s.f1), segments: segments.length, xRealTime: Math.round(durationMs / ms) };
        expect(s.precision, `${rate} ${name} precision`).toBeGreaterThan(0.9);
        expect(s.recall, `${rate} ${name} recall`).toBeGreaterThan(0.9);
      }
    }
    console.log(JSON.stringify({ vad_eval: 'aepyx_8k', frame_ms: 10, reference_segments: ref.length, audio_s: durationMs / 1000, figures }));
  });

  test('results do not depend on how the audio is framed', async () => {
    const wav = decodeWav(readFileSync(join(DATA, 'aepyx_8k.wav')));
    const pcm = wav.channels[0]!.subarray(0, 8000 * 30);
    const a = await segmentsOf(provider, pcm, 8000, {}, 20);
    const b = await segmentsOf(provider, pcm, 8000, {}, 130);
    expect(a.segments.length).toBeGreaterThan(2);
    expect(b.segments).toEqual(a.segments);
  });

  test('endpoints a synthesized caller utterance at 8 kHz and hands over its PCM with padding', async () => {
    const tts = new FliteTts({ voice: 'rms' });
    let speech: Int16Array = new Int16Array(0);
    for await (const c of tts.synthesize({ text: 'Hi, I have a question about my bill.', sampleRate: 8000 })) speech = c.pcm;
    // flite pads with a little silence; find where the waveform really is
    const first = speech.findIndex((x) => Math.abs(x) > 300);
    const last = speech.length - 1 - [...speech].reverse().findIndex((x) => Math.abs(x) > 300);
    const lead = 8000; // 1 s of silence, the utterance, 1 s of silence
    const pcm = new Int16Array(lead + speech.length + 8000);
    pcm.set(speech, lead);
    const { events } = await segmentsOf(provider, pcm, 8000, { silenceMs: 500, padMs: 200 });
    const start = events.find((e) => e.type === 'speech_start')!;
    const end = events.find((e) => e.type === 'speech_end')!;
    expect(events.filter((e) => e.type === 'speech_end')).toHaveLength(1);
    if (end.type !== 'speech_end') throw new Error('unreachable');
    const trueStart = ((lead + first) / 8000) * 1000;
    const trueEnd = ((lead + last) / 8000) * 1000;
    expect(Math.abs(start.startMs - trueStart)).toBeLessThan(150);
    expect(Math.abs(end.endMs - trueEnd)).toBeLessThan(250);
    expect(end.atMs - end.endMs).toBeGreaterThanOrEqual(500);
    expect(end.sampleRate).toBe(8000);
    expect(end.pcm.length).toBe(Math.round(((end.endMs - end.startMs + 400) * 8000) / 1000));
  });
});

const round3 = (x: number) => Math.round(x * 1000) / 1000;
