import { runWavProcess, SentenceTts, type SynthesisAudio } from './process-tts.ts';

export interface EspeakOptions {
  /** espeak-ng voice (default `en-us`). */
  voice?: string;
  /** Words per minute (espeak-ng default 175). */
  wordsPerMinute?: number;
  bin?: string;
  timeoutMs?: number;
}

/** The fallback TTS: Debian's `espeak-ng` (22.05 kHz WAV on stdout, resampled to the call's rate). */
export class EspeakTts extends SentenceTts {
  readonly name = 'espeak-ng';
  readonly defaultVoice: string;
  private readonly bin: string;
  private readonly wpm: number | undefined;
  private readonly timeoutMs: number | undefined;

  constructor(opts: EspeakOptions = {}) {
    super();
    this.defaultVoice = opts.voice ?? 'en-us';
    this.bin = opts.bin ?? 'espeak-ng';
    this.wpm = opts.wordsPerMinute;
    this.timeoutMs = opts.timeoutMs;
  }

  protected synthesizeSentence(sentence: string, voice: string, signal: AbortSignal): Promise<SynthesisAudio> {
    const args = ['-v', voice, '--stdout', ...(this.wpm ? ['-s', String(this.wpm)] : []), sentence];
    return runWavProcess(this.bin, args, { signal, ...(this.timeoutMs ? { timeoutMs: this.timeoutMs } : {}) });
  }
}
