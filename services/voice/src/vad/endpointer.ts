/**
 * Endpointing over per-window speech probabilities: a pure state machine, so it can be tested and
 * tuned without a model. Times are stream times in ms (audio position, not wall clock).
 *
 * - Speech **starts** when windows at or above `threshold` have run for `minSpeechMs` (counting from
 *   the first such window; windows between `negThreshold` and `threshold` keep a candidate alive,
 *   a window below `negThreshold` drops it). `startMs` is the onset (start of the first window).
 * - Speech **ends** when windows have stayed below `threshold` for `silenceMs` (the hangover) since
 *   the first window below `negThreshold`; `endMs` is where that silence began. A window at or above
 *   `threshold` cancels a pending end.
 * - The two thresholds give hysteresis (Silero's own `get_speech_timestamps` uses neg = threshold - 0.15).
 * - An utterance longer than `maxUtteranceMs` is cut there (`forced`), so a turn never waits forever.
 */
export interface EndpointerOptions {
  /** Speech probability that starts speech / cancels a pending end. Default 0.5. */
  threshold: number;
  /** Probability below which a window counts as silence. Default threshold - 0.15. */
  negThreshold: number;
  /** Speech must last this long before `speech_start` (also the barge-in confirmation time). Default 150. */
  minSpeechMs: number;
  /** Hangover: silence that ends an utterance. Default 500. */
  silenceMs: number;
  /** Hard cap on one utterance. Default 20000. */
  maxUtteranceMs: number;
}

export const defaultEndpointerOptions: EndpointerOptions = {
  threshold: 0.5,
  negThreshold: 0.35,
  minSpeechMs: 150,
  silenceMs: 500,
  maxUtteranceMs: 20_000,
};

export function endpointerOptions(partial: Partial<EndpointerOptions> = {}): EndpointerOptions {
  const threshold = partial.threshold ?? defaultEndpointerOptions.threshold;
  const o: EndpointerOptions = {
    ...defaultEndpointerOptions,
    ...partial,
    threshold,
    negThreshold: partial.negThreshold ?? Math.max(0.01, threshold - 0.15),
  };
  if (!(o.threshold > 0 && o.threshold < 1)) throw new RangeError(`threshold must be in (0, 1), got ${o.threshold}`);
  if (!(o.negThreshold > 0 && o.negThreshold <= o.threshold)) throw new RangeError(`negThreshold must be in (0, threshold], got ${o.negThreshold}`);
  for (const k of ['minSpeechMs', 'silenceMs', 'maxUtteranceMs'] as const) {
    if (!(Number.isFinite(o[k]) && o[k] >= 0)) throw new RangeError(`${k} must be a non-negative number, got ${o[k]}`);
  }
  return o;
}

export type EndpointEvent =
  | { type: 'start'; startMs: number; atMs: number }
  | { type: 'end'; startMs: number; endMs: number; atMs: number; forced: boolean };

export class Endpointer {
  readonly options: EndpointerOptions;
  private speaking = false;
  private candidateStart: number | undefined;
  private speechStart = 0;
  private tentativeEnd: number | undefined;

  constructor(options: Partial<EndpointerOptions> = {}) {
    this.options = endpointerOptions(options);
  }

  get inSpeech(): boolean {
    return this.speaking;
  }

  /** Feed one window's probability; returns the events it causes (at most one). */
  window(prob: number, startMs: number, endMs: number): EndpointEvent | undefined {
    const o = this.options;
    if (!this.speaking) {
      if (prob >= o.threshold) this.candidateStart ??= startMs;
      else if (prob < o.negThreshold) this.candidateStart = undefined;
      if (this.candidateStart !== undefined && endMs - this.candidateStart >= o.minSpeechMs) {
        this.speaking = true;
        this.speechStart = this.candidateStart;
        this.candidateStart = undefined;
        this.tentativeEnd = undefined;
        return { type: 'start', startMs: this.speechStart, atMs: endMs };
      }
      return undefined;
    }
    if (prob >= o.threshold) this.tentativeEnd = undefined;
    else if (prob < o.negThreshold) this.tentativeEnd ??= startMs;
    if (this.tentativeEnd !== undefined && endMs - this.tentativeEnd >= o.silenceMs) {
      return this.finish(this.tentativeEnd, endMs, false);
    }
    if (endMs - this.speechStart >= o.maxUtteranceMs) return this.finish(endMs, endMs, true);
    return undefined;
  }

  /** End of stream: closes an utterance in progress. */
  flush(nowMs: number): EndpointEvent | undefined {
    this.candidateStart = undefined;
    if (!this.speaking) return undefined;
    return this.finish(this.tentativeEnd ?? nowMs, nowMs, true);
  }

  reset(): void {
    this.speaking = false;
    this.candidateStart = undefined;
    this.tentativeEnd = undefined;
  }

  private finish(endMs: number, atMs: number, forced: boolean): EndpointEvent {
    this.speaking = false;
    this.tentativeEnd = undefined;
    this.candidateStart = undefined;
    return { type: 'end', startMs: this.speechStart, endMs, atMs, forced };
  }
}
