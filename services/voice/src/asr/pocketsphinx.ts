import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { accessSync, constants, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { AppError, loadModelManifest, modelsDir, verifiedModelPath } from '@cc/core';
import { resample } from '../audio/resample.ts';
import { downsample2x, upsample2x } from './halfband.ts';
import {
  ASR_GRAMMARS,
  AsrAbortedError,
  AsrUnavailableError,
  type AsrGrammar,
  type AsrProvider,
  type AsrResult,
  type AsrStream,
  type AsrStreamOptions,
  type AsrWord,
  type TranscribeOptions,
} from './asr-provider.ts';

/**
 * PocketSphinx (CMU Sphinx, Debian package `pocketsphinx`) driven from Node for telephone audio.
 *
 * Each recognition mode — the open domain language model, or one JSGF grammar — has a pool of
 * long-lived `pocketsphinx_batch` processes whose control file is their stdin: the model is loaded
 * once, and each utterance costs one line on stdin (its id) plus one raw PCM file in a private temp
 * directory; the decode comes back as a `-hypseg` line on stdout (words with frame times). Batch
 * mode normalises cepstra over the whole utterance (`-cmn batch`), which is what the acoustic
 * model was adapted with, and why VAD-segmented utterances are decoded whole rather than streamed.
 *
 * Cancelling a queued request just drops it; cancelling a running decode kills that process (the
 * pool starts a new one for the next request).
 *
 * The default model (models/asr/, see models/manifest.json and docs/asr.md) is the en-us acoustic
 * model adapted to telephone speech (8 kHz, μ-law, 300–3400 Hz) that reaches it upsampled to
 * 16 kHz. Every utterance is therefore brought to the 8 kHz telephone band first (16 kHz input is
 * low-passed and decimated) and then upsampled with the same kind of clean half-band filter the
 * adaptation data went through, whatever rate the model's front end runs at (its feat.params).
 */

export interface PocketsphinxOptions {
  /** Model folder holding am/, lm/, grammars/ (default: models/asr of the repository). */
  modelDir?: string;
  /** Override single paths (absolute). */
  acousticModel?: string;
  languageModel?: string;
  dictionary?: string;
  grammars?: Partial<Record<AsrGrammar, string>>;
  /** Decoder executable. Default `pocketsphinx_batch` from PATH. */
  binary?: string;
  /** Processes per mode (concurrent decodes of the same mode). Default 1. */
  workersPerMode?: number;
  /** Extra decoder arguments (e.g. ['-beam', '1e-40']). */
  extraArgs?: string[];
  /** Check the model files against models/manifest.json (size + sha256) before first use. Default true for the bundled model. */
  verifyModels?: boolean;
  /** Give up on a decode after this long (ms): default 15 s + 3 × the audio length. */
  timeoutMs?: number;
}

type Mode = 'lm' | AsrGrammar;

const FRAME_MS = 10; // -frate 100
/** Sentence markers, silence, noise words and the grammar's null transitions. */
const FILLER = /^(<s>|<\/s>|<sil>|\(null\)|\[[^\]]*\]|\+\+.*\+\+)$/i;

/** Parses a `-hypseg` line: `uttid S scale T total A ascr L lscr {sf ascr lscr word}* ef`. */
export function parseHypseg(line: string): { id: string; words: AsrWord[] } | null {
  const f = line.trim().split(/\s+/);
  if (f.length < 9 || f[1] !== 'S' || f[3] !== 'T' || f[5] !== 'A' || f[7] !== 'L') return null;
  const id = f[0]!;
  const segs: Array<{ sf: number; word: string }> = [];
  let i = 9;
  for (; i + 3 < f.length; i += 4) segs.push({ sf: Number(f[i]), word: f[i + 3]! });
  const lastFrame = Number(f[i] ?? NaN);
  const words: AsrWord[] = [];
  segs.forEach((s, k) => {
    const word = s.word.replace(/\(\d+\)$/, '');
    if (FILLER.test(word)) return;
    const ef = k + 1 < segs.length ? segs[k + 1]!.sf : Number.isFinite(lastFrame) ? lastFrame : s.sf;
    words.push({ word: word.toLowerCase(), startMs: s.sf * FRAME_MS, endMs: ef * FRAME_MS });
  });
  return { id, words };
}

interface Job {
  id: string;
  pcm: Int16Array;
  mode: Mode;
  /** Pool the job runs in: the mode, or `<mode>#partial` for interim decodes. */
  pool: string;
  signal?: AbortSignal;
  resolve: (r: AsrResult) => void;
  reject: (e: unknown) => void;
  onAbort?: () => void;
  worker?: Worker;
}

class Worker {
  readonly proc: ChildProcessWithoutNullStreams;
  job: Job | undefined;
  dead = false;
  private readonly stderrTail: string[] = [];
  private startedAt = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    readonly pool: string,
    readonly mode: Mode,
    private readonly rate: number,
    binary: string,
    args: string[],
    private readonly tmp: string,
    private readonly timeoutMs: (audioMs: number) => number,
    private readonly onIdle: (w: Worker) => void,
    private readonly onExit: (w: Worker) => void,
  ) {
    // pocketsphinx_batch fopen()s its control and output files by name, and /dev/stdin or
    // /dev/stdout cannot be opened when they are the sockets Node gives a child: `cat` on either
    // side turns them into real pipes. The group (own process group) is killed as a whole.
    this.proc = spawn('/bin/sh', ['-c', 'cat | "$@" | cat', 'sh', binary, ...args], { stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    this.proc.on('error', (err) => this.die(new AppError('asr_failed', `pocketsphinx could not be started: ${err.message}`, { cause: err })));
    this.proc.on('exit', (code, sig) => {
      const e =
        code === 127
          ? new AsrUnavailableError(`${binary} not found: install the Debian package "pocketsphinx" (apt-get install pocketsphinx)`)
          : new AppError('asr_failed', `pocketsphinx (${mode}) exited (${sig ?? code}): ${this.stderrTail.slice(-8).join(' | ')}`);
      this.die(e);
    });
    this.proc.stdin.on('error', () => {}); // EPIPE after a crash: reported through 'exit'
    createInterface({ input: this.proc.stderr }).on('line', (l) => {
      if (/ERROR|FATAL/.test(l) || this.stderrTail.length < 4) this.stderrTail.push(l);
      if (this.stderrTail.length > 40) this.stderrTail.splice(4, this.stderrTail.length - 40);
    });
    createInterface({ input: this.proc.stdout }).on('line', (l) => this.onLine(l));
  }

  async run(job: Job): Promise<void> {
    this.job = job;
    job.worker = this;
    const file = join(this.tmp, `${job.id}.raw`);
    const buf = Buffer.from(job.pcm.buffer, job.pcm.byteOffset, job.pcm.byteLength);
    await writeFile(file, buf);
    if (this.job !== job || this.dead) return; // aborted while writing
    this.startedAt = Date.now();
    const audioMs = (job.pcm.length / this.rate) * 1000;
    this.timer = setTimeout(() => this.kill(new AppError('asr_timeout', `pocketsphinx took longer than ${this.timeoutMs(audioMs)} ms`)), this.timeoutMs(audioMs));
    this.proc.stdin.write(`${job.id}\n`);
  }

  private onLine(line: string): void {
    const job = this.job;
    const parsed = parseHypseg(line);
    if (!job || !parsed || parsed.id !== job.id) return;
    clearTimeout(this.timer);
    this.job = undefined;
    void unlink(join(this.tmp, `${job.id}.raw`)).catch(() => {});
    job.signal?.removeEventListener('abort', job.onAbort!);
    job.resolve({
      text: parsed.words.map((w) => w.word).join(' '),
      words: parsed.words,
      startedAt: this.startedAt,
      endedAt: Date.now(),
      audioMs: Math.round((job.pcm.length / this.rate) * 1000),
      mode: job.mode,
    });
    this.onIdle(this);
  }

  kill(reason: unknown): void {
    if (!this.dead && this.proc.pid !== undefined) {
      try {
        process.kill(-this.proc.pid, 'SIGKILL'); // the shell, cat and pocketsphinx_batch
      } catch {
        this.proc.kill('SIGKILL');
      }
    }
    this.die(reason);
  }

  private die(reason: unknown): void {
    clearTimeout(this.timer);
    const job = this.job;
    this.job = undefined;
    if (job) {
      void unlink(join(this.tmp, `${job.id}.raw`)).catch(() => {});
      job.signal?.removeEventListener('abort', job.onAbort!);
      job.reject(reason);
    }
    if (!this.dead) {
      this.dead = true;
      this.onExit(this);
    }
  }
}

export class PocketsphinxAsr implements AsrProvider {
  readonly name = 'pocketsphinx';
  private readonly opts: PocketsphinxOptions;
  private readonly tmp: string;
  private readonly pools = new Map<string, Worker[]>();
  private readonly queues = new Map<string, Job[]>();
  private verified: Promise<void> | undefined;
  /** Sample rate of the acoustic model's front end (feat.params -samprate; pocketsphinx default 16000). */
  readonly frontEndRate: number;
  private closed = false;
  readonly paths: { acousticModel: string; languageModel: string; dictionary: string; grammars: Record<AsrGrammar, string> };

  constructor(opts: PocketsphinxOptions = {}) {
    this.opts = opts;
    const dir = opts.modelDir ?? join(modelsDir, 'asr');
    this.paths = {
      acousticModel: opts.acousticModel ?? join(dir, 'am/en-us-telephone'),
      languageModel: opts.languageModel ?? join(dir, 'lm/domain.lm.bin'),
      dictionary: opts.dictionary ?? join(dir, 'lm/domain.dict'),
      grammars: Object.fromEntries(ASR_GRAMMARS.map((g) => [g, opts.grammars?.[g] ?? join(dir, `grammars/${g}.gram`)])) as Record<AsrGrammar, string>,
    };
    const featParams = join(this.paths.acousticModel, 'feat.params');
    const m = existsSync(featParams) ? readFileSync(featParams, 'utf8').match(/^-samprate\s+(\d+)/m) : null;
    this.frontEndRate = m ? Number(m[1]) : 16000;
    if (this.frontEndRate !== 8000 && this.frontEndRate !== 16000) throw new AsrUnavailableError(`unsupported acoustic model sample rate ${this.frontEndRate}`);
    const shm = '/dev/shm';
    this.tmp = mkdtempSync(join(existsSync(shm) && statSync(shm).isDirectory() ? shm : tmpdir(), 'asr-ps-'));
    process.once('exit', this.removeTmp);
  }

  private readonly removeTmp = (): void => rmSync(this.tmp, { recursive: true, force: true });

  /** Starts the recogniser processes of these modes now, so the first utterance does not wait for model loading. */
  async warmup(modes: Mode[] = ['lm']): Promise<void> {
    await this.verify();
    for (const m of modes) if ((this.pools.get(m) ?? []).length === 0) this.spawnWorker(m, m);
  }

  transcribe(utterance: Int16Array, sampleRate: number, opts: TranscribeOptions = {}): Promise<AsrResult> {
    return this.submit(utterance, sampleRate, opts, false);
  }

  private submit(utterance: Int16Array, sampleRate: number, opts: TranscribeOptions, partial: boolean): Promise<AsrResult> {
    if (this.closed) return Promise.reject(new AppError('asr_closed', 'ASR provider is closed'));
    if (opts.signal?.aborted) return Promise.reject(new AsrAbortedError(opts.signal.reason));
    const mode: Mode = opts.grammar ?? 'lm';
    if (mode !== 'lm' && !ASR_GRAMMARS.includes(mode)) return Promise.reject(new AppError('asr_bad_grammar', `unknown grammar ${String(mode)}`, { status: 400 }));
    const pcm = this.toFrontEnd(utterance, sampleRate);
    return new Promise<AsrResult>((resolve, reject) => {
      const job: Job = { id: randomUUID(), pcm, mode, pool: partial ? `${mode}#partial` : mode, resolve, reject };
      if (opts.signal) {
        job.signal = opts.signal;
        job.onAbort = () => this.abort(job);
        opts.signal.addEventListener('abort', job.onAbort, { once: true });
      }
      this.verify().then(
        () => this.enqueue(job),
        (e) => {
          if (job.onAbort) opts.signal?.removeEventListener('abort', job.onAbort);
          reject(e);
        },
      );
    });
  }

  /**
   * One utterance fed frame by frame. The final transcript is decoded when `end()` is called;
   * with `onPartial`, the audio so far is decoded again every `partialIntervalMs` (on a separate
   * process, so finals never wait behind partials).
   */
  stream(opts: AsrStreamOptions): AsrStream {
    const chunks: Int16Array[] = [];
    let samples = 0;
    let lastPartialAt = 0;
    let partialInFlight = false;
    let ended = false;
    const interval = ((opts.partialIntervalMs ?? 1000) * opts.sampleRate) / 1000;
    const joined = () => {
      const all = new Int16Array(samples);
      let o = 0;
      for (const c of chunks) {
        all.set(c, o);
        o += c.length;
      }
      return all;
    };
    return {
      write: (pcm) => {
        if (ended) throw new AppError('asr_stream_ended', 'write after end()');
        chunks.push(pcm);
        samples += pcm.length;
        if (opts.onPartial && !partialInFlight && samples - lastPartialAt >= interval) {
          lastPartialAt = samples;
          partialInFlight = true;
          const audioMs = Math.round((samples / opts.sampleRate) * 1000);
          this.transcribePartial(joined(), opts)
            .then((r) => {
              if (!ended) opts.onPartial!({ text: r.text, audioMs });
            })
            .catch(() => {})
            .finally(() => (partialInFlight = false));
        }
      },
      end: () => {
        ended = true;
        return this.transcribe(joined(), opts.sampleRate, { grammar: opts.grammar, signal: opts.signal });
      },
    };
  }

  private transcribePartial(pcm: Int16Array, opts: AsrStreamOptions): Promise<AsrResult> {
    // Partials run in their own pool so that a final decode never queues behind one.
    return this.submit(pcm, opts.sampleRate, { grammar: opts.grammar, signal: opts.signal }, true);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const q of this.queues.values()) for (const j of q.splice(0)) j.reject(new AppError('asr_closed', 'ASR provider closed'));
    for (const pool of this.pools.values()) for (const w of [...pool]) w.kill(new AppError('asr_closed', 'ASR provider closed'));
    this.pools.clear();
    this.removeTmp();
    process.off('exit', this.removeTmp);
  }

  // ---------------------------------------------------------------------------------------------

  /** Telephone band at 8 kHz, then the acoustic model's front-end rate; at least 100 ms long. */
  private toFrontEnd(pcm: Int16Array, rate: number): Int16Array {
    const tel = rate === 8000 ? pcm : rate === 16000 ? downsample2x(pcm) : resample(pcm, rate, 8000);
    const min = 800; // pocketsphinx needs a few frames: pad very short utterances with silence
    let padded = tel;
    if (tel.length < min) {
      padded = new Int16Array(min);
      padded.set(tel);
    }
    return this.frontEndRate === 16000 ? upsample2x(padded) : padded;
  }

  private verify(): Promise<void> {
    const binary = this.opts.binary ?? 'pocketsphinx_batch';
    if (!findExecutable(binary)) {
      return Promise.reject(new AsrUnavailableError(`${binary} not found: install the Debian package "pocketsphinx" (apt-get install pocketsphinx)`));
    }
    const bundled = !this.opts.acousticModel && !this.opts.languageModel && !this.opts.dictionary && !this.opts.modelDir;
    if (!(this.opts.verifyModels ?? bundled)) return Promise.resolve();
    this.verified ??= (async () => {
      const entries = loadModelManifest().models.filter((m) => m.kind === 'asr');
      if (entries.length === 0) throw new AsrUnavailableError('models/manifest.json lists no asr model');
      for (const e of entries) await verifiedModelPath(e);
    })();
    return this.verified;
  }

  private args(mode: Mode): string[] {
    const p = this.paths;
    const search = mode === 'lm' ? ['-lm', p.languageModel] : ['-jsgf', p.grammars[mode]];
    return [
      '-hmm', p.acousticModel,
      '-dict', p.dictionary,
      ...search,
      '-adcin', 'yes',
      '-cepdir', this.tmp,
      '-cepext', '.raw',
      '-ctl', '/dev/stdin',
      '-hyp', '/dev/null',
      '-hypseg', '/dev/stdout',
      ...(this.opts.extraArgs ?? []),
    ];
  }

  private spawnWorker(key: string, mode: Mode): Worker {
    const pool = this.pools.get(key) ?? [];
    this.pools.set(key, pool);
    const timeout = (audioMs: number) => this.opts.timeoutMs ?? 15_000 + 3 * audioMs;
    const w = new Worker(
      key,
      mode,
      this.frontEndRate,
      this.opts.binary ?? 'pocketsphinx_batch',
      this.args(mode),
      this.tmp,
      timeout,
      (idle) => this.next(idle.pool),
      (dead) => {
        const list = this.pools.get(dead.pool) ?? [];
        const i = list.indexOf(dead);
        if (i >= 0) list.splice(i, 1);
        if (!this.closed) this.next(dead.pool);
      },
    );
    pool.push(w);
    return w;
  }

  private enqueue(job: Job): void {
    if (job.signal?.aborted) return this.abort(job);
    const q = this.queues.get(job.pool) ?? [];
    this.queues.set(job.pool, q);
    q.push(job);
    this.next(job.pool);
  }

  private next(key: string): void {
    const q = this.queues.get(key);
    if (!q || q.length === 0 || this.closed) return;
    const pool = this.pools.get(key) ?? [];
    let w = pool.find((x) => !x.job && !x.dead);
    if (!w && pool.length < (this.opts.workersPerMode ?? 1)) w = this.spawnWorker(key, q[0]!.mode);
    if (!w) return;
    const job = q.shift()!;
    void w.run(job).catch((e) => w.kill(e));
  }

  private abort(job: Job): void {
    const err = new AsrAbortedError(job.signal?.reason);
    if (job.worker) {
      if (job.worker.job === job) job.worker.kill(err);
      return;
    }
    const q = this.queues.get(job.pool);
    const i = q ? q.indexOf(job) : -1;
    if (i >= 0) q!.splice(i, 1);
    job.reject(err);
  }
}

/** The executable's path if it exists (absolute/relative path, or looked up on PATH). */
function findExecutable(bin: string): string | null {
  const candidates = bin.includes('/') ? [bin] : (process.env.PATH ?? '').split(':').filter(Boolean).map((d) => join(d, bin));
  for (const c of candidates) {
    try {
      accessSync(c, constants.X_OK);
      return c;
    } catch {
      // next
    }
  }
  return null;
}
