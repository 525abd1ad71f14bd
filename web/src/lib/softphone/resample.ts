/**
 * Streaming resampler for the microphone (typically 44.1 or 48 kHz) to the connector's 16 kHz.
 * Downsampling averages the input over each output sample's span (a box low-pass filter, enough to
 * keep speech free of gross aliasing) and carries the fractional position across chunks, so a
 * stream cut into arbitrary chunks resamples exactly as if it came in one piece.
 * Upsampling (and equal rates) interpolates linearly.
 */
export class StreamingResampler {
  private readonly step: number;
  /** Input position (in input samples, relative to the start of the pending chunk) of the next output sample. */
  private pos = 0;
  private tail: Float32Array = new Float32Array(0);

  constructor(
    readonly inputRate: number,
    readonly outputRate: number,
  ) {
    if (!(inputRate > 0) || !(outputRate > 0)) throw new RangeError('sample rates must be positive');
    this.step = inputRate / outputRate;
  }

  process(chunk: Float32Array): Float32Array {
    if (this.inputRate === this.outputRate) return chunk.slice();
    const input = new Float32Array(this.tail.length + chunk.length);
    input.set(this.tail);
    input.set(chunk, this.tail.length);
    const out: number[] = [];
    if (this.step > 1) {
      // Output sample k covers input [pos, pos + step).
      while (this.pos + this.step <= input.length) {
        const start = this.pos;
        const end = this.pos + this.step;
        let acc = 0;
        let i = Math.floor(start);
        while (i < end) {
          const lo = Math.max(i, start);
          const hi = Math.min(i + 1, end);
          acc += input[i]! * (hi - lo);
          i++;
        }
        out.push(acc / this.step);
        this.pos = end;
      }
    } else {
      while (this.pos + 1 < input.length) {
        const i = Math.floor(this.pos);
        const f = this.pos - i;
        out.push(input[i]! * (1 - f) + input[i + 1]! * f);
        this.pos += this.step;
      }
    }
    const keepFrom = Math.floor(this.pos);
    this.tail = input.slice(keepFrom);
    this.pos -= keepFrom;
    return Float32Array.from(out);
  }

  reset(): void {
    this.pos = 0;
    this.tail = new Float32Array(0);
  }
}

/** One-shot resampling of a whole buffer. */
export function resample(input: Float32Array, inputRate: number, outputRate: number): Float32Array {
  return new StreamingResampler(inputRate, outputRate).process(input);
}
