import ort from 'onnxruntime-node';
import { AppError, loadModelManifest, modelsDir, verifiedModelPath } from '@cc/core';

/**
 * Silero VAD v5/v6 (ONNX) run with onnxruntime-node.
 *
 * The model scores fixed windows of 512 samples at 16 kHz or 256 at 8 kHz (32 ms). Like the reference
 * `OnnxWrapper` in snakers4/silero-vad (utils_vad.py), every window is prefixed with the last 64 (16 kHz)
 * or 32 (8 kHz) samples of the previous window (the model's context), and the recurrent state
 * ([2, 1, 128] float32) is carried from one window to the next. Inputs: `input` [1, context + N]
 * float32 in [-1, 1), `state` [2, 1, 128], `sr` int64 scalar; outputs `output` [1, 1] (speech
 * probability) and `stateN`.
 */
export const SILERO_DEFAULT_MODEL_ID = 'silero-vad-v6.2';

export type VadSampleRate = 8000 | 16000;

export function sileroWindowSamples(sampleRate: VadSampleRate): number {
  return sampleRate === 16000 ? 512 : 256;
}

export function sileroContextSamples(sampleRate: VadSampleRate): number {
  return sampleRate === 16000 ? 64 : 32;
}

export interface LoadSileroOptions {
  /** Manifest id of the model (default `silero-vad-v6.2`). */
  modelId?: string;
  /** The models folder holding `manifest.json` (default: the repository's `models/`). */
  dir?: string;
}

const sessions = new Map<string, Promise<SileroVadModel>>();

/**
 * The model, verified against `models/manifest.json` (size and sha256) before it is loaded. One
 * ONNX session per process is shared by every call (each call keeps its own recurrent state), so
 * repeated calls return the same instance.
 */
export function loadSileroVad(opts: LoadSileroOptions = {}): Promise<SileroVadModel> {
  const dir = opts.dir ?? modelsDir;
  const id = opts.modelId ?? SILERO_DEFAULT_MODEL_ID;
  const key = `${dir}\0${id}`;
  let model = sessions.get(key);
  if (!model) {
    model = (async () => {
      const entry = loadModelManifest(dir).models.find((m) => m.id === id);
      if (!entry) throw new AppError('model_missing', `Model ${id} is not listed in ${dir}/manifest.json`);
      if (entry.kind !== 'vad') throw new AppError('model_kind', `Model ${id} is a ${entry.kind} model, not a VAD model`);
      const file = await verifiedModelPath(entry, dir);
      const session = await ort.InferenceSession.create(file, {
        // Windows are tiny (0.2 ms each): threading costs more than it gains, and calls run in parallel anyway.
        intraOpNumThreads: 1,
        interOpNumThreads: 1,
        executionMode: 'sequential',
        graphOptimizationLevel: 'all',
        logSeverityLevel: 3,
      });
      return new SileroVadModel(session, id);
    })();
    model.catch(() => sessions.delete(key));
    sessions.set(key, model);
  }
  return model;
}

export class SileroVadModel {
  constructor(
    readonly session: ort.InferenceSession,
    readonly id: string,
  ) {}

  /** A scorer with its own recurrent state and context, for one audio stream. */
  stream(sampleRate: VadSampleRate): SileroVadStream {
    return new SileroVadStream(this.session, sampleRate);
  }
}

/** Scores consecutive windows of one stream. Not re-entrant: await each `score` before the next. */
export class SileroVadStream {
  readonly windowSamples: number;
  readonly contextSamples: number;
  private state = new Float32Array(2 * 1 * 128);
  private readonly input: Float32Array;
  private readonly sr: ort.Tensor;

  constructor(
    private readonly session: ort.InferenceSession,
    readonly sampleRate: VadSampleRate,
  ) {
    if (sampleRate !== 8000 && sampleRate !== 16000) throw new AppError('vad_sample_rate', `Silero VAD runs at 8000 or 16000 Hz, not ${sampleRate}`);
    this.windowSamples = sileroWindowSamples(sampleRate);
    this.contextSamples = sileroContextSamples(sampleRate);
    this.input = new Float32Array(this.contextSamples + this.windowSamples);
    this.sr = new ort.Tensor('int64', BigInt64Array.from([BigInt(sampleRate)]), []);
  }

  /** Speech probability (0..1) of one window of exactly `windowSamples` samples in [-1, 1). */
  async score(window: Float32Array): Promise<number> {
    if (window.length !== this.windowSamples) throw new RangeError(`window must be ${this.windowSamples} samples, got ${window.length}`);
    const x = new Float32Array(this.input.length);
    x.set(this.input.subarray(this.windowSamples), 0); // the previous window's last `contextSamples`
    x.set(window, this.contextSamples);
    const out = await this.session.run({
      input: new ort.Tensor('float32', x, [1, x.length]),
      state: new ort.Tensor('float32', this.state, [2, 1, 128]),
      sr: this.sr,
    });
    this.state = (out.stateN!.data as Float32Array).slice();
    this.input.set(x);
    return (out.output!.data as Float32Array)[0]!;
  }

  reset(): void {
    this.state = new Float32Array(2 * 1 * 128);
    this.input.fill(0);
  }
}
