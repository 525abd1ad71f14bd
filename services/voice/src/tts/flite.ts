import { runWavProcess, SentenceTts, type SynthesisAudio } from './process-tts.ts';

export interface FliteOptions {
  /** Built-in voice (slt, awb, rms, kal, kal16, awb_time) or a path to a .flitevox file. Default slt. */
  voice?: string;
  /** The flite binary (default `flite`, Debian package `flite`). */
  bin?: string;
  /** Per-sentence limit before the process is killed. Default 15000. */
  timeoutMs?: number;
}

/**
 * The embedded default TTS: Debian's `flite`, one process per sentence writing a WAV file to a scratch folder
 * (slt, awb and rms speak at 16 kHz, kal at 8 kHz; the audio is resampled to the call's rate).
 */
export class FliteTts extends SentenceTts {
  readonly name = 'flite';
  readonly defaultVoice: string;
  private readonly bin: string;
  private readonly timeoutMs: number | undefined;

  constructor(opts: FliteOptions = {}) {
    super();
    this.defaultVoice = opts.voice ?? 'slt';
    this.bin = opts.bin ?? 'flite';
    this.timeoutMs = opts.timeoutMs;
  }

  protected synthesizeSentence(sentence: string, voice: string, signal: AbortSignal): Promise<SynthesisAudio> {
    return runWavProcess(this.bin, ['-voice', voice, '-t', sentence, '-o', '{out}'], { signal, output: 'file', ...(this.timeoutMs ? { timeoutMs: this.timeoutMs } : {}) });
  }
}
