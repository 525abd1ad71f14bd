import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeWav, resample } from '../audio/index.ts';
import { splitSentences, TtsAbortedError, TtsFailedError, TtsUnavailableError, type TtsChunk, type TtsProvider, type TtsRequest } from './tts-provider.ts';

/** Every synthesis process alive in this process (leak checks, shutdown). */
const live = new Set<ChildProcess>();

export function liveSynthesisProcesses(): number {
  return live.size;
}

export interface SynthesisAudio {
  pcm: Int16Array;
  sampleRate: number;
}

let scratchDir: string | undefined;
/**
 * A unique scratch file (in /dev/shm when there is one) for synthesizers that can only write
 * files; it is deleted as soon as it has been read (or the process failed).
 */
function scratchFile(): string {
  scratchDir ??= existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
  return join(scratchDir, `cc-tts-${process.pid}-${randomUUID()}.wav`);
}

export interface WavProcessOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
  /**
   * Where the WAV comes out: stdout (default), or a scratch file whose path `args` gets in place of
   * the `{out}` argument (flite cannot write to stdout when it is a socket, which is what Node gives
   * a child).
   */
  output?: 'stdout' | 'file';
}

/**
 * Run a synthesizer that writes a WAV file; resolves with its mono PCM. Aborting kills the process
 * (SIGKILL) and rejects with `TtsAbortedError` once it has been reaped; a missing binary rejects with
 * `TtsUnavailableError`.
 */
export function runWavProcess(command: string, args: readonly string[], opts: WavProcessOptions = {}): Promise<SynthesisAudio> {
  const { signal, timeoutMs = 15_000 } = opts;
  if (signal?.aborted) return Promise.reject(new TtsAbortedError(signal.reason));
  const outFile = opts.output === 'file' ? scratchFile() : undefined;
  const argv = outFile ? args.map((a) => (a === '{out}' ? outFile : a)) : [...args];
  return new Promise<SynthesisAudio>((resolve, reject) => {
    const child = spawn(command, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    live.add(child);
    const out: Buffer[] = [];
    let err = '';
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      fn();
    };
    const kill = () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    };
    // Killed processes are reaped before the promise settles, so an awaited abort leaves no child behind.
    let killedFor: Error | undefined;
    const onAbort = () => {
      killedFor ??= new TtsAbortedError(signal?.reason);
      kill();
    };
    const timer = setTimeout(() => {
      killedFor ??= new TtsFailedError(`${command} took longer than ${timeoutMs} ms`);
      kill();
    }, timeoutMs);
    signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout!.on('data', (b: Buffer) => out.push(b));
    child.stderr!.on('data', (b: Buffer) => {
      if (err.length < 2000) err += b.toString();
    });
    child.on('error', (e: NodeJS.ErrnoException) => {
      live.delete(child);
      if (outFile) rmSync(outFile, { force: true });
      finish(() => reject(e.code === 'ENOENT' ? new TtsUnavailableError(`${command} is not installed (apt-get install ${command})`, e) : new TtsFailedError(`${command}: ${e.message}`, e)));
    });
    child.on('close', (code, sig) => {
      live.delete(child);
      finish(() => {
        try {
          if (killedFor) return reject(killedFor);
          if (code !== 0) return reject(new TtsFailedError(`${command} exited with ${code ?? sig}: ${err.trim().slice(0, 300)}`));
          const wav = decodeWav(outFile ? readFileSync(outFile) : Buffer.concat(out));
          resolve({ pcm: wav.channels[0] ?? new Int16Array(0), sampleRate: wav.sampleRate });
        } catch (e) {
          reject(new TtsFailedError(`${command} wrote unreadable audio${err ? `: ${err.trim().slice(0, 200)}` : ''}`, e));
        } finally {
          if (outFile) rmSync(outFile, { force: true });
        }
      });
    });
  });
}

/**
 * A provider that synthesizes one sentence per process run and streams sentence by sentence: the
 * next sentence is synthesized while the current one is handed out (one sentence of look-ahead), so
 * the first audio leaves after the first sentence only and there is no gap between sentences.
 */
export abstract class SentenceTts implements TtsProvider {
  abstract readonly name: string;
  abstract readonly defaultVoice: string;
  protected abstract synthesizeSentence(sentence: string, voice: string, signal: AbortSignal): Promise<SynthesisAudio>;

  async *synthesize(request: TtsRequest): AsyncGenerator<TtsChunk> {
    const sentences = splitSentences(request.text);
    if (request.signal?.aborted) throw new TtsAbortedError(request.signal.reason);
    if (!sentences.length) return;
    // Our own controller: also stops the look-ahead when the consumer stops iterating early.
    const ctl = new AbortController();
    const onAbort = () => ctl.abort(request.signal?.reason);
    request.signal?.addEventListener('abort', onAbort, { once: true });
    const voice = request.voice ?? this.defaultVoice;
    const start = (i: number) => {
      const p = this.synthesizeSentence(sentences[i]!, voice, ctl.signal);
      p.catch(() => {}); // observed below; never an unhandled rejection when abandoned
      return p;
    };
    let next: Promise<SynthesisAudio> | undefined;
    try {
      next = start(0);
      for (let i = 0; i < sentences.length; i++) {
        const audio: SynthesisAudio = await next!;
        next = i + 1 < sentences.length ? start(i + 1) : undefined;
        if (ctl.signal.aborted) throw new TtsAbortedError(ctl.signal.reason);
        yield {
          pcm: resample(audio.pcm, audio.sampleRate, request.sampleRate),
          sampleRate: request.sampleRate,
          sentenceIndex: i,
          sentence: sentences[i]!,
          last: i === sentences.length - 1,
        };
      }
    } catch (err) {
      if (ctl.signal.aborted) throw new TtsAbortedError(ctl.signal.reason);
      throw err;
    } finally {
      request.signal?.removeEventListener('abort', onAbort);
      if (next) {
        // Stopped early: kill the look-ahead and reap it, so a finished iteration leaves no process behind.
        if (!ctl.signal.aborted) ctl.abort('tts iteration stopped');
        await next.catch(() => {});
      }
    }
  }
}
