import { AppError } from '@cc/core';

/**
 * Text-to-speech seam of the voice pipeline. A provider streams the reply as audio chunks (one or
 * more per sentence) at the call's sample rate, so the pipeline can send the first sentence while
 * the rest are still being synthesized. Aborting the signal stops synthesis at once (child
 * processes are killed) and the iteration rejects with `TtsAbortedError`.
 */
export interface TtsRequest {
  text: string;
  /** The call's sample rate: chunks come resampled to it. */
  sampleRate: number;
  /** Provider-specific voice (flite: slt, awb, rms, kal, … or a .flitevox path; espeak-ng: en-us, …). */
  voice?: string;
  signal?: AbortSignal;
}

export interface TtsChunk {
  /** 16-bit PCM at the requested sample rate. */
  pcm: Int16Array;
  sampleRate: number;
  /** Which sentence of the reply this audio speaks (0-based). */
  sentenceIndex: number;
  sentence: string;
  /** The reply's last chunk. */
  last: boolean;
}

export interface TtsProvider {
  readonly name: string;
  synthesize(request: TtsRequest): AsyncIterable<TtsChunk>;
  /** Stop every synthesis process the provider started. */
  close?(): Promise<void>;
}

export class TtsAbortedError extends AppError {
  constructor(reason?: unknown) {
    super('tts_aborted', 'Speech synthesis was cancelled', { status: 499, cause: reason });
    this.name = 'AbortError';
  }
}

export class TtsUnavailableError extends AppError {
  constructor(message: string, cause?: unknown) {
    super('tts_unavailable', message, { status: 503, cause });
  }
}

export class TtsFailedError extends AppError {
  constructor(message: string, cause?: unknown) {
    super('tts_failed', message, { status: 500, cause });
  }
}

export function isAbortError(err: unknown): boolean {
  return err instanceof Error && (err.name === 'AbortError' || (err as { code?: string }).code === 'ABORT_ERR');
}

const ABBREVIATIONS = new Set(['mr', 'mrs', 'ms', 'dr', 'st', 'jr', 'sr', 'vs', 'etc', 'no', 'inc', 'ltd', 'co', 'mt', 'e.g', 'i.e', 'approx', 'dept', 'apt']);

/**
 * Split a reply into sentences for streaming synthesis: at `.`, `!`, `?` (and `…`) followed by
 * space, except after common abbreviations and single initials or before a lower-case word; a sentence longer than `maxChars`
 * is split further at `,`, `;` or `:` so that the first audio never waits on a very long sentence.
 * Whitespace is collapsed; leading dashes are dropped (they would read as command-line options).
 */
export function splitSentences(text: string, maxChars = 160): string[] {
  const clean = text.replace(/\s+/g, ' ').trim();
  if (!clean) return [];
  const sentences: string[] = [];
  let start = 0;
  const re = /([.!?…]+)["')\]]*(?=\s|$)/g;
  for (let m = re.exec(clean); m; m = re.exec(clean)) {
    const end = m.index + m[0].length;
    const before = clean.slice(start, m.index);
    const lastWord = /([A-Za-z.]+)$/.exec(before)?.[1]?.toLowerCase() ?? '';
    if (m[1] === '.' && (ABBREVIATIONS.has(lastWord) || /^[a-z]$/i.test(lastWord))) continue;
    // "3 p.m. today": a lower-case word after the stop means the sentence goes on.
    if (/^\s+[a-z]/.test(clean.slice(end))) continue;
    sentences.push(clean.slice(start, end));
    start = end;
  }
  if (start < clean.length) sentences.push(clean.slice(start));
  return sentences
    .flatMap((s) => splitLong(s.trim(), maxChars))
    .map((s) => s.replace(/^[-\s]+/, '').trim())
    .filter((s) => /[\p{L}\p{N}]/u.test(s));
}

function splitLong(sentence: string, maxChars: number): string[] {
  if (sentence.length <= maxChars) return [sentence];
  const parts: string[] = [];
  let rest = sentence;
  while (rest.length > maxChars) {
    const window = rest.slice(0, maxChars);
    let cut = Math.max(window.lastIndexOf(', '), window.lastIndexOf('; '), window.lastIndexOf(': '));
    if (cut < maxChars / 4) cut = window.lastIndexOf(' ');
    if (cut <= 0) cut = maxChars - 1;
    parts.push(rest.slice(0, cut + 1).trim());
    rest = rest.slice(cut + 1).trim();
  }
  if (rest) parts.push(rest);
  return parts;
}
