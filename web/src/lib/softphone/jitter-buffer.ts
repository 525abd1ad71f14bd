/**
 * Playback buffer for the agent's audio. Frames arrive in bursts over the network; playback pulls a
 * fixed number of samples per audio callback. Playback starts once `prebufferSamples` are queued (and
 * again after an underrun), which absorbs network jitter; beyond `maxSamples` the oldest audio is
 * dropped so latency cannot grow without bound. `clear()` drops everything at once (barge-in).
 * Marks sit at a position in the stream and are reported once the audio before them has played.
 */
export interface PullResult {
  samples: Float32Array;
  /** Marks whose preceding audio has now been played. */
  marks: string[];
}

export class JitterBuffer {
  private chunks: Float32Array[] = [];
  private offset = 0;
  private queued = 0;
  private playing = false;
  /** Samples written / played since the start: positions for marks. */
  private written = 0;
  private played = 0;
  private marks: { name: string; at: number }[] = [];
  underruns = 0;
  dropped = 0;

  constructor(
    readonly prebufferSamples: number,
    readonly maxSamples: number,
  ) {}

  get bufferedSamples(): number {
    return this.queued;
  }
  get isPlaying(): boolean {
    return this.playing;
  }

  push(samples: Float32Array): void {
    if (samples.length === 0) return;
    this.chunks.push(samples);
    this.queued += samples.length;
    this.written += samples.length;
    while (this.queued > this.maxSamples) {
      const excess = this.queued - this.maxSamples;
      const head = this.chunks[0]!;
      const avail = head.length - this.offset;
      const n = Math.min(avail, excess);
      this.offset += n;
      this.queued -= n;
      this.played += n;
      this.dropped += n;
      if (this.offset >= head.length) {
        this.chunks.shift();
        this.offset = 0;
      }
    }
    if (!this.playing && this.queued >= this.prebufferSamples) this.playing = true;
  }

  /** A mark after everything pushed so far. */
  mark(name: string): void {
    this.marks.push({ name, at: this.written });
  }

  /** `n` samples for the output; silence while prebuffering or on underrun. */
  pull(n: number): PullResult {
    const out = new Float32Array(n);
    if (this.playing) {
      let filled = 0;
      while (filled < n && this.chunks.length > 0) {
        const head = this.chunks[0]!;
        const take = Math.min(n - filled, head.length - this.offset);
        out.set(head.subarray(this.offset, this.offset + take), filled);
        filled += take;
        this.offset += take;
        if (this.offset >= head.length) {
          this.chunks.shift();
          this.offset = 0;
        }
      }
      this.queued -= filled;
      this.played += filled;
      if (this.queued === 0) {
        if (filled < n) this.underruns++;
        this.playing = false;
      }
    }
    return { samples: out, marks: this.takeMarks(this.played) };
  }

  /** Drops all queued audio (barge-in); returns the marks still pending, which the caller echoes. */
  clear(): string[] {
    this.chunks = [];
    this.offset = 0;
    this.played += this.queued;
    this.queued = 0;
    this.playing = false;
    const pending = this.marks.map((m) => m.name);
    this.marks = [];
    return pending;
  }

  private takeMarks(upTo: number): string[] {
    const done: string[] = [];
    while (this.marks.length > 0 && this.marks[0]!.at <= upTo) done.push(this.marks.shift()!.name);
    return done;
  }
}
