import { EspeakTts, type EspeakOptions } from './espeak.ts';
import { FliteTts, type FliteOptions } from './flite.ts';
import { TtsUnavailableError, type TtsChunk, type TtsProvider, type TtsRequest } from './tts-provider.ts';

/**
 * Uses `primary` and, when it is unavailable (binary missing) before any audio was produced, the
 * `fallback` for this and every later request. Other errors (aborts, failures mid-reply) propagate.
 * The request's `voice` goes to the primary only; the fallback speaks its own default voice.
 */
export class FallbackTts implements TtsProvider {
  readonly name: string;
  private primaryDown = false;

  constructor(
    readonly primary: TtsProvider,
    readonly fallback: TtsProvider,
  ) {
    this.name = `${primary.name}|${fallback.name}`;
  }

  async *synthesize(request: TtsRequest): AsyncGenerator<TtsChunk> {
    if (!this.primaryDown) {
      let produced = false;
      try {
        for await (const chunk of this.primary.synthesize(request)) {
          produced = true;
          yield chunk;
        }
        return;
      } catch (err) {
        if (!(err instanceof TtsUnavailableError) || produced) throw err;
        this.primaryDown = true;
      }
    }
    const { voice: _voice, ...rest } = request;
    yield* this.fallback.synthesize(rest);
  }

  async close(): Promise<void> {
    await Promise.all([this.primary.close?.(), this.fallback.close?.()]);
  }
}

/** The embedded default: flite (voice `slt` unless configured), espeak-ng when flite is not installed. */
export function createDefaultTts(opts: { flite?: FliteOptions; espeak?: EspeakOptions } = {}): TtsProvider {
  return new FallbackTts(new FliteTts(opts.flite), new EspeakTts(opts.espeak));
}
