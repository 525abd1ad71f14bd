/** 16-bit little-endian PCM <-> Float32 samples, and cutting a sample stream into fixed frames. */

/** Float samples in [-1, 1] (clipped) to 16-bit little-endian PCM bytes. */
export function floatToL16(samples: Float32Array): ArrayBuffer {
  const buf = new ArrayBuffer(samples.length * 2);
  const view = new DataView(buf);
  for (let i = 0; i < samples.length; i++) {
    const s = Math.max(-1, Math.min(1, samples[i]!));
    view.setInt16(i * 2, s < 0 ? Math.round(s * 0x8000) : Math.round(s * 0x7fff), true);
  }
  return buf;
}

/** 16-bit little-endian PCM bytes to float samples; a trailing odd byte is ignored. */
export function l16ToFloat(bytes: ArrayBuffer): Float32Array {
  const view = new DataView(bytes);
  const n = Math.floor(bytes.byteLength / 2);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = view.getInt16(i * 2, true) / 0x8000;
  return out;
}

/** Collects samples and hands out whole frames of `frameSamples` (e.g. 320 = 20 ms at 16 kHz). */
export class Framer {
  private buf: Float32Array;
  private len = 0;
  constructor(readonly frameSamples: number) {
    this.buf = new Float32Array(frameSamples * 4);
  }
  push(samples: Float32Array): Float32Array[] {
    if (this.len + samples.length > this.buf.length) {
      const bigger = new Float32Array(Math.max(this.buf.length * 2, this.len + samples.length));
      bigger.set(this.buf.subarray(0, this.len));
      this.buf = bigger;
    }
    this.buf.set(samples, this.len);
    this.len += samples.length;
    const frames: Float32Array[] = [];
    let start = 0;
    while (this.len - start >= this.frameSamples) {
      frames.push(this.buf.slice(start, start + this.frameSamples));
      start += this.frameSamples;
    }
    this.buf.copyWithin(0, start, this.len);
    this.len -= start;
    return frames;
  }
  get pending(): number {
    return this.len;
  }
}
