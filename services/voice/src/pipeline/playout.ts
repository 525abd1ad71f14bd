import type { MediaTransport } from '../transport/media-transport.ts';
import { nowMs, TimerSet } from './timers.ts';

export interface PlayoutOptions {
  sampleRate: number;
  /** Frame size handed to the transport. Default 20 ms (what Twilio and AudioHook carry). */
  frameMs?: number;
  /**
   * How far ahead of real time audio is sent. The CCaaS buffers it; whatever was sent ahead is what
   * a barge-in `clear` must drop. Default 200 ms.
   */
  leadMs?: number;
  /**
   * A mark counts as played when the transport echoes it, or this long after its estimated playback
   * time (for transports that never echo). Default 1000 ms.
   */
  markGraceMs?: number;
  timers?: TimerSet;
  now?: () => number;
}

export type MarkOutcome = 'played' | 'estimated' | 'cleared' | 'closed';

type Item = { kind: 'frame'; pcm: Int16Array } | { kind: 'mark'; name: string };

/**
 * Agent audio out: cuts PCM into fixed frames and sends them paced to real time with a small lead,
 * so that a barge-in finds little audio buffered downstream; interleaves marks so the pipeline
 * learns when playback reaches a point; `clear()` drops everything queued here and downstream.
 */
export class Playout {
  readonly sampleRate: number;
  readonly frameSamples: number;
  readonly frameMs: number;
  readonly leadMs: number;
  private readonly markGraceMs: number;
  private readonly timers: TimerSet;
  private readonly now: () => number;
  private queue: Item[] = [];
  private partial = new Int16Array(0);
  /** Estimated wall time at which the far end finishes playing what has been sent. */
  private playbackEnd = 0;
  private pumpTimer: NodeJS.Timeout | undefined;
  private readonly marks = new Map<string, { resolve: (o: MarkOutcome) => void; timer?: NodeJS.Timeout }>();
  private waiters: { limitMs: number; resolve: (o: 'ready' | 'cleared' | 'closed') => void }[] = [];
  private queuedFrames = 0;
  private closed = false;
  framesSent = 0;
  /** Called with the wall time of every frame handed to the transport. */
  onFrameSent: ((at: number) => void) | undefined;

  constructor(
    private readonly transport: Pick<MediaTransport, 'sendAudio' | 'mark' | 'clear'>,
    opts: PlayoutOptions,
  ) {
    this.sampleRate = opts.sampleRate;
    this.frameMs = opts.frameMs ?? 20;
    this.frameSamples = Math.round((this.sampleRate * this.frameMs) / 1000);
    this.leadMs = opts.leadMs ?? 200;
    this.markGraceMs = opts.markGraceMs ?? 1000;
    this.timers = opts.timers ?? new TimerSet();
    this.now = opts.now ?? nowMs;
  }

  /** Audio queued or still playing at the far end (by estimate). */
  get speaking(): boolean {
    return this.queue.length > 0 || this.partial.length > 0 || this.now() < this.playbackEnd;
  }

  /** Audio not yet handed to the transport, in ms. */
  get queuedMs(): number {
    return (this.queuedFrames * this.frameSamples + this.partial.length) * (1000 / this.sampleRate);
  }

  /**
   * Backpressure for the producer: resolves once less than `limitMs` of audio waits to be sent (so
   * synthesis runs only a little ahead of playback and a barge-in has little to throw away).
   */
  waitQueuedBelow(limitMs: number): Promise<'ready' | 'cleared' | 'closed'> {
    if (this.closed) return Promise.resolve('closed');
    if (this.queuedMs < limitMs) return Promise.resolve('ready');
    return new Promise((resolve) => this.waiters.push({ limitMs, resolve }));
  }

  private settleWaiters(outcome?: 'cleared' | 'closed'): void {
    if (!this.waiters.length) return;
    const queued = this.queuedMs;
    const keep: typeof this.waiters = [];
    for (const w of this.waiters) {
      if (outcome) w.resolve(outcome);
      else if (queued < w.limitMs) w.resolve('ready');
      else keep.push(w);
    }
    this.waiters = keep;
  }

  enqueue(pcm: Int16Array): void {
    if (this.closed || !pcm.length) return;
    let buf = pcm;
    if (this.partial.length) {
      buf = new Int16Array(this.partial.length + pcm.length);
      buf.set(this.partial);
      buf.set(pcm, this.partial.length);
    }
    let o = 0;
    for (; o + this.frameSamples <= buf.length; o += this.frameSamples) {
      this.queue.push({ kind: 'frame', pcm: buf.slice(o, o + this.frameSamples) });
      this.queuedFrames++;
    }
    this.partial = buf.slice(o);
    this.pump();
  }

  /**
   * Queue a mark after the audio queued so far (a partial last frame is padded with silence).
   * Resolves when playback reaches it, or with 'cleared' / 'closed'.
   */
  mark(name: string): Promise<MarkOutcome> {
    if (this.closed) return Promise.resolve('closed');
    if (this.partial.length) {
      const frame = new Int16Array(this.frameSamples);
      frame.set(this.partial);
      this.partial = new Int16Array(0);
      this.queue.push({ kind: 'frame', pcm: frame });
      this.queuedFrames++;
    }
    const done = new Promise<MarkOutcome>((resolve) => this.marks.set(name, { resolve }));
    this.queue.push({ kind: 'mark', name });
    this.pump();
    return done;
  }

  /** The transport reported that playback reached `name`. */
  markPlayed(name: string): void {
    this.settleMark(name, 'played');
  }

  /** Barge-in: drop what is queued here, tell the far end to drop its buffer. */
  clear(): void {
    if (this.closed) return;
    this.queue = [];
    this.partial = new Int16Array(0);
    this.timers.clear(this.pumpTimer);
    this.pumpTimer = undefined;
    this.queuedFrames = 0;
    this.playbackEnd = 0;
    this.transport.clear();
    for (const name of [...this.marks.keys()]) this.settleMark(name, 'cleared');
    this.settleWaiters('cleared');
  }

  /** Call end: stop sending, settle every waiter, leave no timer behind. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.queue = [];
    this.partial = new Int16Array(0);
    this.timers.clear(this.pumpTimer);
    this.pumpTimer = undefined;
    this.queuedFrames = 0;
    for (const name of [...this.marks.keys()]) this.settleMark(name, 'closed');
    this.settleWaiters('closed');
  }

  private settleMark(name: string, outcome: MarkOutcome): void {
    const m = this.marks.get(name);
    if (!m) return;
    this.marks.delete(name);
    this.timers.clear(m.timer);
    m.resolve(outcome);
  }

  private pump = (): void => {
    this.timers.clear(this.pumpTimer);
    this.pumpTimer = undefined;
    if (this.closed) return;
    const now = this.now();
    while (this.queue.length && this.playbackEnd - now < this.leadMs) {
      const item = this.queue.shift()!;
      if (item.kind === 'mark') {
        this.transport.mark(item.name);
        const m = this.marks.get(item.name);
        if (m) m.timer = this.timers.set(() => this.settleMark(item.name, 'estimated'), Math.max(0, this.playbackEnd - now) + this.markGraceMs);
        continue;
      }
      this.queuedFrames--;
      this.transport.sendAudio(item.pcm);
      this.framesSent++;
      this.playbackEnd = Math.max(this.playbackEnd, now) + this.frameMs;
      this.onFrameSent?.(now);
    }
    this.settleWaiters();
    if (this.queue.length && this.pumpTimer === undefined) {
      this.pumpTimer = this.timers.set(this.pump, Math.max(1, this.playbackEnd - this.leadMs - now));
    }
  };
}
