import { describe, expect, it } from 'vitest';
import { Framer, floatToL16, l16ToFloat } from './pcm';
import { StreamingResampler, resample } from './resample';
import { JitterBuffer } from './jitter-buffer';
import { describeClose, parseServerMessage } from './protocol';

const sine = (freq: number, rate: number, n: number) => Float32Array.from({ length: n }, (_, i) => Math.sin((2 * Math.PI * freq * i) / rate));

describe('L16 encoding', () => {
  it('encodes little-endian 16-bit with clipping and decodes back', () => {
    const buf = floatToL16(Float32Array.from([0, 1, -1, 0.5, 2, -2]));
    const view = new DataView(buf);
    expect(buf.byteLength).toBe(12);
    expect([0, 1, 2, 3, 4, 5].map((i) => view.getInt16(i * 2, true))).toEqual([0, 32767, -32768, 16384, 32767, -32768]);
    expect(new Uint8Array(buf).slice(2, 4)).toEqual(Uint8Array.from([0xff, 0x7f]));
    const back = l16ToFloat(buf);
    expect(back[3]).toBeCloseTo(0.5, 3);
    expect(back[2]).toBe(-1);
  });

  it('ignores a trailing odd byte', () => {
    expect(l16ToFloat(new ArrayBuffer(5)).length).toBe(2);
  });

  it('cuts any chunking into whole 20 ms frames', () => {
    const f = new Framer(320);
    const sizes = [100, 500, 7, 333, 340];
    const frames = sizes.flatMap((n, k) => f.push(new Float32Array(n).fill(k)));
    expect(frames.map((x) => x.length)).toEqual([320, 320, 320, 320]);
    expect(f.pending).toBe(0);
    expect(frames[0]![99]).toBe(0);
    expect(frames[0]![100]).toBe(1);
  });
});

describe('resampling to 16 kHz', () => {
  it('48 kHz → 16 kHz gives a third of the samples and keeps a 440 Hz tone', () => {
    const out = resample(sine(440, 48000, 4800), 48000, 16000);
    expect(out.length).toBeGreaterThanOrEqual(1599);
    expect(out.length).toBeLessThanOrEqual(1600);
    const ref = sine(440, 16000, out.length);
    // Box filter over 3 samples attenuates 440 Hz very slightly and delays it by one input sample.
    const err = Math.max(...out.map((v, i) => Math.abs(v - ref[i]!)).slice(10));
    expect(err).toBeLessThan(0.08);
  });

  it('44.1 kHz → 16 kHz streams identically whatever the chunk sizes', () => {
    const input = sine(300, 44100, 44100);
    const whole = resample(input, 44100, 16000);
    const r = new StreamingResampler(44100, 16000);
    const parts: Float32Array[] = [];
    for (let i = 0; i < input.length; i += 128 + (i % 7)) parts.push(r.process(input.subarray(i, Math.min(input.length, i + 128 + (i % 7)))));
    const streamed = Float32Array.from(parts.flatMap((p) => [...p]));
    expect(streamed.length).toBe(whole.length);
    expect(Math.abs(whole.length - 16000)).toBeLessThanOrEqual(1);
    for (let i = 0; i < whole.length; i++) expect(streamed[i]).toBeCloseTo(whole[i]!, 5);
  });

  it('suppresses a tone above the 8 kHz Nyquist limit instead of folding it at full strength', () => {
    const out = resample(sine(15000, 48000, 4800), 48000, 16000);
    const rms = Math.sqrt(out.reduce((a, v) => a + v * v, 0) / out.length);
    expect(rms).toBeLessThan(0.35); // an unfiltered decimation would keep ~0.707
  });

  it('upsamples 16 kHz → 48 kHz by interpolation', () => {
    const out = resample(Float32Array.from([0, 1, 0, -1, 0]), 16000, 48000);
    expect(out[0]).toBe(0);
    expect(out[3]).toBeCloseTo(1);
    expect(out[1]).toBeCloseTo(1 / 3);
  });
});

describe('jitter buffer', () => {
  it('stays silent until the prebuffer fills, then plays in order', () => {
    const jb = new JitterBuffer(4, 100);
    jb.push(Float32Array.from([1, 2]));
    expect([...jb.pull(2).samples]).toEqual([0, 0]);
    jb.push(Float32Array.from([3, 4, 5]));
    expect([...jb.pull(3).samples]).toEqual([1, 2, 3]);
    expect([...jb.pull(3).samples]).toEqual([4, 5, 0]);
    expect(jb.underruns).toBe(1);
    expect(jb.isPlaying).toBe(false);
  });

  it('drops the oldest audio beyond its maximum', () => {
    const jb = new JitterBuffer(1, 4);
    jb.push(Float32Array.from([1, 2, 3]));
    jb.push(Float32Array.from([4, 5, 6]));
    expect(jb.bufferedSamples).toBe(4);
    expect(jb.dropped).toBe(2);
    expect([...jb.pull(4).samples]).toEqual([3, 4, 5, 6]);
  });

  it('reports marks once the audio before them has played', () => {
    const jb = new JitterBuffer(1, 100);
    jb.push(new Float32Array(4).fill(1));
    jb.mark('m1');
    jb.push(new Float32Array(4).fill(1));
    jb.mark('m2');
    expect(jb.pull(3).marks).toEqual([]);
    expect(jb.pull(3).marks).toEqual(['m1']);
    expect(jb.pull(3).marks).toEqual(['m2']);
  });

  it('clear() stops playback at once and hands back pending marks (barge-in)', () => {
    const jb = new JitterBuffer(1, 100);
    jb.push(new Float32Array(10).fill(0.5));
    jb.mark('after-sentence');
    expect(jb.pull(2).samples[0]).toBe(0.5);
    expect(jb.clear()).toEqual(['after-sentence']);
    expect(jb.bufferedSamples).toBe(0);
    expect([...jb.pull(4).samples]).toEqual([0, 0, 0, 0]);
    // New audio after the clear plays normally.
    jb.push(Float32Array.from([0.25]));
    expect(jb.pull(1).samples[0]).toBe(0.25);
  });
});

describe('protocol', () => {
  it('parses the server messages and ignores unknown ones', () => {
    expect(parseServerMessage('{"type":"started","callId":"c1","sampleRate":16000}')).toEqual({ type: 'started', callId: 'c1', sampleRate: 16000 });
    expect(parseServerMessage('{"type":"clear"}')).toEqual({ type: 'clear' });
    expect(parseServerMessage('{"type":"end","reason":"transferred"}')).toEqual({ type: 'end', reason: 'transferred' });
    expect(parseServerMessage('{"type":"transfer","target":"queue:billing"}')).toMatchObject({ type: 'transfer', target: 'queue:billing' });
    expect(parseServerMessage('{"type":"mark"}')).toBeNull();
    expect(parseServerMessage('nope')).toBeNull();
    expect(parseServerMessage('{"type":"other"}')).toBeNull();
  });

  it('explains close codes', () => {
    expect(describeClose(1000, '', true)).toBeNull();
    expect(describeClose(4401, 'bad token', false)).toMatch(/token .*expired/);
    expect(describeClose(1006, '', false)).toMatch(/connection refused/);
    expect(describeClose(1006, '', true)).toMatch(/lost/);
  });
});

describe('socket url', () => {
  it('keeps a reachable url and swaps loopback for the console host', async () => {
    const { socketUrlFor } = await import('./protocol');
    expect(socketUrlFor('ws://127.0.0.1:8081/v1/stream', { hostname: '127.0.0.1', protocol: 'http:' })).toBe('ws://127.0.0.1:8081/v1/stream');
    expect(socketUrlFor('ws://127.0.0.1:8081/v1/stream', { hostname: 'console.example', protocol: 'https:' })).toBe('wss://console.example:8081/v1/stream');
  });
});
