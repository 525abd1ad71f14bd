import type { AsrGrammar, AsrProvider, AsrResult, TranscribeOptions } from '../../asr/asr-provider.ts';
import { AsrAbortedError } from '../../asr/asr-provider.ts';

/**
 * ASR STAND-IN for pipeline tests — not a recogniser. Returns scripted transcripts, one per
 * utterance in order (the last one repeats), after an optional delay; `hang: true` for an utterance
 * never answers until aborted (a decode cut off by the call's end). Records what it was given.
 */
export interface ScriptedTranscript {
  text: string;
  confidence?: number;
  delayMs?: number;
  hang?: boolean;
}

export class FixedTranscriptAsr implements Pick<AsrProvider, 'name' | 'transcribe'> {
  readonly name = 'fixed-transcript-stand-in';
  readonly calls: { samples: number; sampleRate: number; grammar?: AsrGrammar; aborted: boolean }[] = [];
  private next = 0;

  constructor(private readonly script: (string | ScriptedTranscript)[]) {}

  transcribe(utterance: Int16Array, sampleRate: number, opts: TranscribeOptions = {}): Promise<AsrResult> {
    const entry = this.script[Math.min(this.next++, this.script.length - 1)] ?? '';
    const s: ScriptedTranscript = typeof entry === 'string' ? { text: entry } : entry;
    const call = { samples: utterance.length, sampleRate, ...(opts.grammar ? { grammar: opts.grammar } : {}), aborted: false };
    this.calls.push(call);
    const startedAt = Date.now();
    return new Promise<AsrResult>((resolve, reject) => {
      const onAbort = () => {
        clearTimeout(timer);
        call.aborted = true;
        reject(new AsrAbortedError(opts.signal?.reason));
      };
      if (opts.signal?.aborted) return onAbort();
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      const timer = s.hang
        ? undefined
        : setTimeout(() => {
            opts.signal?.removeEventListener('abort', onAbort);
            resolve({
              text: s.text,
              words: [],
              ...(s.confidence !== undefined ? { confidence: s.confidence } : {}),
              startedAt,
              endedAt: Date.now(),
              audioMs: (utterance.length * 1000) / sampleRate,
              mode: opts.grammar ?? 'lm',
            });
          }, s.delayMs ?? 0);
    });
  }
}
