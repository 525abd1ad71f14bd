import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { BadAudioError, decodeWav, encodeWav, mulawToPcm16, pcm16ToMulaw, resample } from './index.ts';

describe('μ-law', () => {
  it('round-trips within the codec quantisation error', () => {
    fc.assert(
      fc.property(fc.integer({ min: -32768, max: 32767 }), (s) => {
        const back = mulawToPcm16(pcm16ToMulaw(Int16Array.of(s)))[0]!;
        expect(Math.abs(back - Math.max(-32635, Math.min(32635, s)))).toBeLessThanOrEqual(Math.max(8, Math.abs(s) / 16));
      }),
    );
  });
  it('encodes silence as 0xFF', () => expect(pcm16ToMulaw(Int16Array.of(0))[0]).toBe(0xff));
});

describe('WAV', () => {
  it('reads a real 8 kHz recording and writes it back as stereo μ-law', () => {
    const wav = decodeWav(readFileSync(new URL('../../../../../shared/data/audio/fsdd/0_george_0.wav', import.meta.url)));
    expect(wav.sampleRate).toBe(8000);
    expect(wav.channels).toHaveLength(1);
    const stereo = decodeWav(encodeWav([wav.channels[0]!, new Int16Array(wav.channels[0]!.length)], 8000, 'mulaw'));
    expect(stereo).toMatchObject({ sampleRate: 8000, encoding: 'mulaw' });
    expect(stereo.channels[1]!.every((s) => s === 0)).toBe(true);
  });
  it('names what is wrong with a bad file', () => {
    expect(() => decodeWav(new Uint8Array(10))).toThrow(BadAudioError);
    const truncated = encodeWav([new Int16Array(100)], 8000).subarray(0, 40);
    expect(() => decodeWav(truncated)).toThrow(/no data chunk/);
  });
});

describe('resample', () => {
  it('keeps duration and a 1 kHz tone through 8k -> 16k -> 8k', () => {
    const tone = Int16Array.from({ length: 8000 }, (_, i) => Math.round(8000 * Math.sin((2 * Math.PI * 1000 * i) / 8000)));
    const up = resample(tone, 8000, 16000);
    expect(up.length).toBe(16000);
    const down = resample(up, 16000, 8000);
    expect(down.length).toBe(8000);
    const rms = Math.sqrt(down.reduce((a, s) => a + s * s, 0) / down.length);
    expect(rms).toBeGreaterThan(4000);
  });
});
