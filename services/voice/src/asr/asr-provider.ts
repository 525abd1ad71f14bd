import { AppError } from '@cc/core';

/**
 * Speech-to-text seam of the voice pipeline. The pipeline hands over one VAD-segmented caller
 * utterance (16-bit PCM, usually 8 kHz from the phone) and gets its final transcript; a turn that
 * captures a slot asks for a grammar instead of the open language model.
 */

/** Closed grammars for slot capture; without one the provider uses its open (n-gram) language model. */
export const ASR_GRAMMARS = ['digits', 'yesno', 'dates'] as const;
export type AsrGrammar = (typeof ASR_GRAMMARS)[number];

export interface TranscribeOptions {
  /** Constrain recognition to a grammar (digit strings, yes/no, dates) for this turn. */
  grammar?: AsrGrammar;
  /** Aborting cancels the decode (a running recogniser process is killed). */
  signal?: AbortSignal;
}

export interface AsrWord {
  word: string;
  /** Offsets into the utterance audio. */
  startMs: number;
  endMs: number;
}

export interface AsrResult {
  /** Lower-case words separated by single spaces; '' when nothing was recognised. */
  text: string;
  words: AsrWord[];
  /** 0..1 when the engine reports one. */
  confidence?: number;
  /** Epoch ms when decoding of this utterance started and ended (queueing excluded). */
  startedAt: number;
  endedAt: number;
  /** Length of the audio that was decoded. */
  audioMs: number;
  /** 'lm' (open vocabulary) or the grammar used. */
  mode: 'lm' | AsrGrammar;
}

export interface AsrPartial {
  text: string;
  /** Audio decoded so far. */
  audioMs: number;
}

export interface AsrStreamOptions extends TranscribeOptions {
  sampleRate: number;
  /** Called with interim transcripts while audio is still arriving (costs extra decodes). */
  onPartial?: (partial: AsrPartial) => void;
  /** Minimum audio between two partial decodes; default 1000 ms. */
  partialIntervalMs?: number;
}

/** One utterance arriving frame by frame. */
export interface AsrStream {
  write(pcm: Int16Array): void;
  /** No more audio: resolves with the final transcript. */
  end(): Promise<AsrResult>;
}

export interface AsrProvider {
  readonly name: string;
  transcribe(utterance: Int16Array, sampleRate: number, opts?: TranscribeOptions): Promise<AsrResult>;
  stream?(opts: AsrStreamOptions): AsrStream;
  /** Stops every recogniser process the provider started. */
  close(): Promise<void>;
}

export class AsrAbortedError extends AppError {
  constructor(reason?: unknown) {
    super('asr_aborted', 'Speech recognition was cancelled', { status: 499, cause: reason });
    this.name = 'AbortError';
  }
}

export class AsrUnavailableError extends AppError {
  constructor(message: string, cause?: unknown) {
    super('asr_unavailable', message, { status: 503, cause });
  }
}
