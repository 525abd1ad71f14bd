import { Endpointer, type EndpointerOptions, type EndpointEvent } from './endpointer.ts';
import { loadSileroVad, type LoadSileroOptions, type SileroVadModel, type SileroVadStream, type VadSampleRate } from './silero.ts';

/**
 * The VAD stage of the pipeline: caller audio in (any frame size, 16-bit PCM), utterance events out.
 * Times are stream times in ms from the first sample pushed; the pipeline maps them to wall clock.
 */
export type VadEvent =
  | {
      type: 'speech_start';
      /** Onset: start of the first speech window. */
      startMs: number;
      /** Stream time at which the start was confirmed (onset + at least `minSpeechMs`). */
      atMs: number;
    }
  | {
      type: 'speech_end';
      startMs: number;
      /** Where the trailing silence began (the end of speech, before the hangover). */
      endMs: number;
      /** Stream time at which the end was decided (endMs + `silenceMs`, or the cut). */
      atMs: number;
      /** The utterance, `padMs` either side of [startMs, endMs]. */
      pcm: Int16Array;
      sampleRate: number;
      /** Cut by `maxUtteranceMs` or the end of the stream rather than by silence. */
      forced: boolean;
    };

export interface VadOptions extends EndpointerOptions {
  /** Audio kept before the onset and after the end in the utterance PCM (ASR needs a little lead-in). Default 200. */
  padMs: number;
}

export interface VoiceActivityDetector {
  readonly sampleRate: number;
  /** Stream time pushed so far. */
  readonly streamMs: number;
  readonly inSpeech: boolean;
  /** Push caller audio in order; await each push before the next. */
  push(pcm: Int16Array): Promise<VadEvent[]>;
  /** End of stream: closes an utterance in progress (as `forced`). */
  flush(): VadEvent[];
  reset(): void;
}

/** Makes one detector per call. */
export interface VadProvider {
  readonly name: string;
  create(sampleRate: VadSampleRate, options?: Partial<VadOptions>): VoiceActivityDetector;
}

/** Silero VAD as the pipeline's provider: `await SileroVadProvider.load()` once per process. */
export class SileroVadProvider implements VadProvider {
  readonly name: string;
  constructor(
    readonly model: SileroVadModel,
    private readonly defaults: Partial<VadOptions> = {},
  ) {
    this.name = model.id;
  }

  static async load(opts: LoadSileroOptions & { defaults?: Partial<VadOptions> } = {}): Promise<SileroVadProvider> {
    return new SileroVadProvider(await loadSileroVad(opts), opts.defaults);
  }

  create(sampleRate: VadSampleRate, options: Partial<VadOptions> = {}): SileroVad {
    return new SileroVad(this.model.stream(sampleRate), { ...this.defaults, ...options });
  }
}

/** Streaming Silero VAD with endpointing and utterance capture. */
export class SileroVad implements VoiceActivityDetector {
  readonly sampleRate: number;
  readonly endpointer: Endpointer;
  readonly padMs: number;
  /** Optional probe: every window's probability (evaluation, debugging). */
  onWindow: ((prob: number, startMs: number, endMs: number) => void) | undefined;
  private readonly window: Float32Array;
  private fill = 0;
  /** Samples pushed so far. */
  private samples = 0;
  /** Samples scored so far (a multiple of the window). */
  private scored = 0;
  private readonly audio = new PcmHistory();

  constructor(
    private readonly scorer: SileroVadStream,
    options: Partial<VadOptions> = {},
  ) {
    this.sampleRate = scorer.sampleRate;
    this.endpointer = new Endpointer(options);
    this.padMs = options.padMs ?? 200;
    if (!(this.padMs >= 0 && this.padMs <= this.endpointer.options.silenceMs)) {
      throw new RangeError(`padMs must be between 0 and silenceMs (${this.endpointer.options.silenceMs}), got ${this.padMs}`);
    }
    this.window = new Float32Array(scorer.windowSamples);
  }

  get streamMs(): number {
    return this.toMs(this.samples);
  }

  get inSpeech(): boolean {
    return this.endpointer.inSpeech;
  }

  async push(pcm: Int16Array): Promise<VadEvent[]> {
    const events: VadEvent[] = [];
    this.audio.append(this.samples, pcm);
    this.samples += pcm.length;
    for (let i = 0; i < pcm.length; i++) {
      this.window[this.fill++] = pcm[i]! / 32768;
      if (this.fill === this.window.length) {
        this.fill = 0;
        const start = this.scored;
        this.scored += this.window.length;
        const prob = await this.scorer.score(this.window);
        const startMs = this.toMs(start);
        const endMs = this.toMs(this.scored);
        this.onWindow?.(prob, startMs, endMs);
        const ev = this.endpointer.window(prob, startMs, endMs);
        if (ev) events.push(this.toEvent(ev));
      }
    }
    // Keep only what a future utterance can still need: the pre-roll while silent, everything since the onset while speaking.
    const keepFrom = this.endpointer.inSpeech ? this.lastStartMs - this.padMs : this.streamMs - this.padMs - this.endpointer.options.minSpeechMs - this.toMs(this.window.length);
    this.audio.trimBefore(this.toSamples(keepFrom));
    return events;
  }

  flush(): VadEvent[] {
    const ev = this.endpointer.flush(this.streamMs);
    return ev ? [this.toEvent(ev)] : [];
  }

  reset(): void {
    this.endpointer.reset();
    this.scorer.reset();
    this.fill = 0;
    this.audio.clear();
  }

  private lastStartMs = 0;

  private toEvent(ev: EndpointEvent): VadEvent {
    if (ev.type === 'start') {
      this.lastStartMs = ev.startMs;
      return { type: 'speech_start', startMs: ev.startMs, atMs: ev.atMs };
    }
    const from = this.toSamples(ev.startMs - this.padMs);
    const to = Math.min(this.samples, this.toSamples(ev.endMs + this.padMs));
    return { type: 'speech_end', startMs: ev.startMs, endMs: ev.endMs, atMs: ev.atMs, pcm: this.audio.slice(from, to), sampleRate: this.sampleRate, forced: ev.forced };
  }

  private toMs(samples: number): number {
    return (samples * 1000) / this.sampleRate;
  }

  private toSamples(ms: number): number {
    return Math.max(0, Math.round((ms * this.sampleRate) / 1000));
  }
}

/** Recent audio as chunks with their absolute sample offsets. */
class PcmHistory {
  private chunks: { at: number; pcm: Int16Array }[] = [];

  append(at: number, pcm: Int16Array): void {
    if (pcm.length) this.chunks.push({ at, pcm: pcm.slice() });
  }

  /** Drop chunks that end before `sample`. */
  trimBefore(sample: number): void {
    let n = 0;
    while (n < this.chunks.length && this.chunks[n]!.at + this.chunks[n]!.pcm.length <= sample) n++;
    if (n) this.chunks.splice(0, n);
  }

  /** Samples [from, to); what is no longer kept reads as silence. */
  slice(from: number, to: number): Int16Array {
    const out = new Int16Array(Math.max(0, to - from));
    for (const { at, pcm } of this.chunks) {
      const s = Math.max(from, at);
      const e = Math.min(to, at + pcm.length);
      if (e > s) out.set(pcm.subarray(s - at, e - at), s - from);
    }
    return out;
  }

  clear(): void {
    this.chunks = [];
  }
}
