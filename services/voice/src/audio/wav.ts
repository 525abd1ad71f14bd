import { AppError } from '@cc/core';
import { mulawToPcm16, pcm16ToMulaw } from './mulaw.ts';

export type WavEncoding = 'pcm16' | 'mulaw';

export interface DecodedWav {
  sampleRate: number;
  /** One Int16Array of PCM per channel. */
  channels: Int16Array[];
  encoding: WavEncoding;
}

export class BadAudioError extends AppError {
  constructor(message: string) {
    super('bad_audio', message, { status: 400 });
  }
}

/** Read a RIFF/WAVE file: PCM 16-bit (format 1) or μ-law (format 7), any channel count. */
export function decodeWav(buf: Uint8Array): DecodedWav {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const tag = (o: number) => String.fromCharCode(buf[o]!, buf[o + 1]!, buf[o + 2]!, buf[o + 3]!);
  if (buf.length < 12 || tag(0) !== 'RIFF' || tag(8) !== 'WAVE') throw new BadAudioError('not a RIFF/WAVE file');
  let fmt: { format: number; channels: number; rate: number; bits: number } | undefined;
  for (let o = 12; o + 8 <= buf.length; ) {
    const id = tag(o);
    const size = view.getUint32(o + 4, true);
    const body = o + 8;
    if (id === 'fmt ') {
      if (size < 16) throw new BadAudioError('fmt chunk too short');
      fmt = { format: view.getUint16(body, true), channels: view.getUint16(body + 2, true), rate: view.getUint32(body + 4, true), bits: view.getUint16(body + 14, true) };
    } else if (id === 'data') {
      if (!fmt) throw new BadAudioError('data chunk before fmt chunk');
      const end = Math.min(body + size, buf.length);
      return splitChannels(buf.subarray(body, end), fmt);
    }
    o = body + size + (size % 2);
  }
  throw new BadAudioError('no data chunk (truncated file?)');
}

function splitChannels(data: Uint8Array, fmt: { format: number; channels: number; rate: number; bits: number }): DecodedWav {
  const { channels: n, rate } = fmt;
  if (n < 1 || n > 8) throw new BadAudioError(`unsupported channel count ${n}`);
  if (rate < 4000 || rate > 96000) throw new BadAudioError(`unsupported sample rate ${rate}`);
  let interleaved: Int16Array;
  let encoding: WavEncoding;
  if (fmt.format === 1 && fmt.bits === 16) {
    const samples = Math.floor(data.length / 2);
    interleaved = new Int16Array(samples);
    const view = new DataView(data.buffer, data.byteOffset, samples * 2);
    for (let i = 0; i < samples; i++) interleaved[i] = view.getInt16(i * 2, true);
    encoding = 'pcm16';
  } else if (fmt.format === 7 && fmt.bits === 8) {
    interleaved = mulawToPcm16(data);
    encoding = 'mulaw';
  } else {
    throw new BadAudioError(`unsupported WAV encoding (format ${fmt.format}, ${fmt.bits} bits): use 16-bit PCM or 8-bit μ-law`);
  }
  const frames = Math.floor(interleaved.length / n);
  const channels = Array.from({ length: n }, (_, c) => {
    const ch = new Int16Array(frames);
    for (let i = 0; i < frames; i++) ch[i] = interleaved[i * n + c]!;
    return ch;
  });
  return { sampleRate: rate, channels, encoding };
}

/** Write a WAV file from per-channel PCM, as 16-bit PCM or 8-bit μ-law. */
export function encodeWav(channels: Int16Array[], sampleRate: number, encoding: WavEncoding = 'pcm16'): Uint8Array {
  const n = channels.length;
  const frames = Math.min(...channels.map((c) => c.length));
  const interleaved = new Int16Array(frames * n);
  for (let i = 0; i < frames; i++) for (let c = 0; c < n; c++) interleaved[i * n + c] = channels[c]![i]!;
  const bytesPerSample = encoding === 'mulaw' ? 1 : 2;
  const data = encoding === 'mulaw' ? pcm16ToMulaw(interleaved) : new Uint8Array(interleaved.buffer, interleaved.byteOffset, interleaved.byteLength);
  const out = new Uint8Array(44 + data.length);
  const view = new DataView(out.buffer);
  const write = (o: number, s: string) => [...s].forEach((ch, i) => (out[o + i] = ch.charCodeAt(0)));
  write(0, 'RIFF');
  view.setUint32(4, 36 + data.length, true);
  write(8, 'WAVE');
  write(12, 'fmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, encoding === 'mulaw' ? 7 : 1, true);
  view.setUint16(22, n, true);
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * n * bytesPerSample, true);
  view.setUint16(32, n * bytesPerSample, true);
  view.setUint16(34, bytesPerSample * 8, true);
  write(36, 'data');
  view.setUint32(40, data.length, true);
  out.set(data, 44);
  return out;
}
