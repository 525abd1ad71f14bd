/**
 * The versioned model artifact: one JSON file, `models/intents/<name>-<shortHash>.json`, with the
 * vocabulary, IDF, weights (int8 with one float scale per row; biases float32) as little-endian
 * base64 typed arrays, the calibration temperature, per-intent thresholds and a training summary.
 * The same inputs give the same bytes (no timestamps inside), so the short hash names the content.
 * `models/manifest.json` gets an entry (kind `intent`) with sha256, size and training details;
 * `loadIntentModel(entry)` checks them (`verifiedModelPath`) before parsing.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { endianness } from 'node:os';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { z } from 'zod';
import { AppError, ModelEntry, loadModelManifest, modelsDir as defaultModelsDir, verifiedModelPath } from '@cc/core';
import { Vectorizer, type FeatureSpec } from './features.ts';
import { IntentModel, type Guard } from './model.ts';
import type { NetWeights } from './nets.ts';
import { dequantizeRows, quantizeRows } from './quant.ts';
import type { IntentExample, TrainReport } from './train.ts';

export const ARTIFACT_FORMAT = 'cc-intent-model';
export const ARTIFACT_VERSION = 1;
/** `format` of the manifest entry. */
export const MANIFEST_FORMAT = 'cc-intent-json-v1';

if (endianness() !== 'LE') throw new AppError('unsupported_platform', 'Intent model artifacts are little-endian; this machine is big-endian');

function b64(a: Float32Array | Uint32Array | Int8Array): string {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
}

function fromB64<T extends Float32Array | Uint32Array | Int8Array>(s: string, ctor: { new (buf: ArrayBuffer): T; BYTES_PER_ELEMENT: number }, length: number, what: string): T {
  const buf = Buffer.from(s, 'base64');
  if (buf.byteLength !== length * ctor.BYTES_PER_ELEMENT) throw new Error(`${what}: ${buf.byteLength} bytes, expected ${length * ctor.BYTES_PER_ELEMENT}`);
  const copy = new ArrayBuffer(buf.byteLength);
  new Uint8Array(copy).set(buf);
  return new ctor(copy);
}

function quantize(w: Float32Array, width: number) {
  const q = quantizeRows(w, width);
  return { dtype: 'int8-rowscale' as const, scale: b64(q.scale), data: b64(q.data) };
}

function dequantize(q: { scale: string; data: string }, rows: number, width: number, what: string): Float32Array {
  return dequantizeRows({ scale: fromB64(q.scale, Float32Array, rows, `${what}.scale`), data: fromB64(q.data, Int8Array, rows * width, `${what}.data`) }, width);
}

const Quantized = z.object({ dtype: z.literal('int8-rowscale'), scale: z.string(), data: z.string() });
const Artifact = z.object({
  format: z.literal(ARTIFACT_FORMAT),
  version: z.literal(ARTIFACT_VERSION),
  name: z.string().min(1),
  labels: z.array(z.string().min(1)).min(2),
  oosClass: z.number().int().nonnegative().nullable(),
  features: z.object({
    spec: z.object({
      wordN: z.tuple([z.number().int(), z.number().int()]),
      charN: z.tuple([z.number().int(), z.number().int()]),
      charMode: z.enum(['wb', 'span']),
      minDf: z.number(),
      wordWeight: z.number(),
      tf: z.enum(['log', 'binary']),
      pairWindow: z.number().int(),
    }),
    dim: z.number().int().positive(),
    wordCount: z.number().int().nonnegative(),
    keys: z.string(),
    idf: z.string(),
  }),
  net: z.object({
    kind: z.enum(['linear', 'mlp']),
    hidden: z.number().int().nonnegative(),
    w1: Quantized,
    b1: z.string(),
    w2: Quantized.optional(),
    b2: z.string().optional(),
  }),
  temperature: z.number().positive(),
  thresholds: z.array(z.number().min(0).max(1)),
  guard: z.object({ maxChars: z.number().int().positive(), minCoverage: z.number().min(0).max(1) }),
  training: z.record(z.string(), z.unknown()),
});
type Artifact = z.infer<typeof Artifact>;

/** Training facts kept inside the artifact (and, shorter, in the manifest entry). */
export interface TrainingSummary {
  dataSha256: string;
  examples: number;
  report: TrainReport;
}

/** sha256 of the examples as canonical JSON lines (`{"text":…,"intent":…}` in the given order). */
export function trainingDataSha256(examples: IntentExample[]): string {
  const h = createHash('sha256');
  for (const e of examples) h.update(JSON.stringify({ text: e.text, intent: e.intent }) + '\n');
  return h.digest('hex');
}

export function serializeIntentModel(model: IntentModel, training: TrainingSummary): string {
  const net = model.net;
  const width1 = net.kind === 'mlp' ? net.hidden : net.classes;
  const r = training.report;
  const artifact: Artifact = {
    format: ARTIFACT_FORMAT,
    version: ARTIFACT_VERSION,
    name: model.name,
    labels: model.labels,
    oosClass: model.oosClass,
    features: {
      spec: model.vectorizer.spec,
      dim: model.vectorizer.dim,
      wordCount: model.vectorizer.wordCount,
      keys: b64(model.vectorizer.keys),
      idf: b64(model.vectorizer.idf),
    },
    net: {
      kind: net.kind,
      hidden: net.hidden,
      w1: quantize(net.w1, width1),
      b1: b64(net.b1),
      ...(net.kind === 'mlp' ? { w2: quantize(net.w2!, net.classes), b2: b64(net.b2!) } : {}),
    },
    temperature: model.temperature,
    thresholds: [...model.thresholds],
    guard: model.guard,
    training: {
      dataSha256: training.dataSha256,
      examples: training.examples,
      method: r.method,
      heldOut: r.heldOut,
      thresholds: { method: r.thresholds.method, global: r.thresholds.global, priorStrength: r.thresholds.priorStrength },
    },
  };
  return JSON.stringify(artifact) + '\n';
}

/** Parse artifact text; any problem is a `model_corrupt` error naming `file`. */
export function parseIntentArtifact(text: string, file: string): IntentModel {
  const fail = (why: string): never => {
    throw new AppError('model_corrupt', `Intent model artifact ${file} is corrupt or not an intent model: ${why}`, { context: { file } });
  };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return fail(`not valid JSON (${(err as Error).message})`);
  }
  const parsed = Artifact.safeParse(json);
  if (!parsed.success) return fail(parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; '));
  const a = parsed.data;
  try {
    const C = a.labels.length;
    if (a.oosClass !== null && a.oosClass >= C) fail(`oosClass ${a.oosClass} out of range`);
    if (a.thresholds.length !== C) fail(`${a.thresholds.length} thresholds for ${C} labels`);
    const D = a.features.dim;
    const keys = fromB64(a.features.keys, Uint32Array, D, 'features.keys');
    const idf = fromB64(a.features.idf, Float32Array, D, 'features.idf');
    if (a.features.wordCount > D) fail('features.wordCount larger than dim');
    const vectorizer = new Vectorizer(a.features.spec as FeatureSpec, keys, idf, a.features.wordCount);
    const H = a.net.hidden;
    let net: NetWeights;
    if (a.net.kind === 'linear') {
      net = { kind: 'linear', dim: D, hidden: 0, classes: C, w1: dequantize(a.net.w1, D, C, 'net.w1'), b1: fromB64(a.net.b1, Float32Array, C, 'net.b1') };
    } else {
      if (!a.net.w2 || !a.net.b2 || H <= 0) return fail('mlp without w2/b2/hidden');
      net = {
        kind: 'mlp', dim: D, hidden: H, classes: C,
        w1: dequantize(a.net.w1, D, H, 'net.w1'), b1: fromB64(a.net.b1, Float32Array, H, 'net.b1'),
        w2: dequantize(a.net.w2, H, C, 'net.w2'), b2: fromB64(a.net.b2, Float32Array, C, 'net.b2'),
      };
    }
    for (const arr of [idf, net.w1, net.b1]) for (const v of arr) if (!Number.isFinite(v)) fail('non-finite number in the weights');
    return new IntentModel({
      name: a.name,
      labels: a.labels,
      oosClass: a.oosClass,
      vectorizer,
      net,
      temperature: a.temperature,
      thresholds: Float64Array.from(a.thresholds),
      guard: a.guard as Guard,
    });
  } catch (err) {
    if (err instanceof AppError) throw err;
    return fail((err as Error).message);
  }
}

export function readIntentArtifact(file: string): IntentModel {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new AppError('model_missing', `Cannot read intent model artifact ${file}: ${(err as Error).message}`, { context: { file } });
  }
  return parseIntentArtifact(text, file);
}

/** Load the model of a manifest entry after checking its size and sha256 against the manifest. */
export async function loadIntentModel(entry: ModelEntry, dir = defaultModelsDir): Promise<IntentModel> {
  if (entry.kind !== 'intent') throw new AppError('model_kind', `Model ${entry.id} is of kind ${entry.kind}, not intent`);
  const file = await verifiedModelPath(entry, dir);
  return readIntentArtifact(file);
}

/** Load an intent model by manifest id. */
export async function loadIntentModelById(id: string, dir = defaultModelsDir): Promise<IntentModel> {
  const entry = loadModelManifest(dir).models.find((m) => m.id === id);
  if (!entry) throw new AppError('model_missing', `No model ${id} in ${join(dir, 'manifest.json')}`);
  return loadIntentModel(entry, dir);
}

export interface WriteOptions {
  /** Folder holding manifest.json (default: the repository's models/). */
  modelsDir?: string;
  /** Where the artifact goes; must be inside modelsDir (default: <modelsDir>/intents). */
  outDir?: string;
  source: string;
  licence: string;
  /** Extra manifest details. */
  details?: Record<string, unknown>;
  /** Clock for `created` (tests). */
  now?: Date;
}

export function manifestId(name: string): string {
  return `intent-${name}`;
}

function writeAtomic(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

/** Where `writeIntentArtifact` would write, after checking the name and folders (call before a long training run). */
export function checkOutput(name: string, opts: Pick<WriteOptions, 'modelsDir' | 'outDir'>): { dir: string; outDir: string } {
  const dir = resolve(opts.modelsDir ?? defaultModelsDir);
  const outDir = resolve(opts.outDir ?? join(dir, 'intents'));
  const rel = relative(dir, outDir);
  if (rel.startsWith('..') || isAbsolute(rel)) throw new AppError('invalid_output', `Output folder ${outDir} must be inside the models folder ${dir} (manifest paths are relative to it)`);
  if (!/^[a-z0-9][a-z0-9._-]*$/.test(name)) throw new AppError('invalid_name', `Model name ${JSON.stringify(name)} must be lowercase letters, digits, '.', '_' or '-'`);
  return { dir, outDir };
}

/**
 * Write the artifact as `<outDir>/<name>-<shortHash>.json` and add or replace its entry (id
 * `intent-<name>`) in `<modelsDir>/manifest.json`; the previous artifact of that entry is removed.
 */
export function writeIntentArtifact(model: IntentModel, training: TrainingSummary, opts: WriteOptions): { file: string; entry: ModelEntry } {
  const { dir, outDir } = checkOutput(model.name, opts);
  const text = serializeIntentModel(model, training);
  const sha256 = createHash('sha256').update(text).digest('hex');
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, `${model.name}-${sha256.slice(0, 12)}.json`);
  writeAtomic(file, text);
  const r = training.report;
  const entry: ModelEntry = ModelEntry.parse({
    id: manifestId(model.name),
    kind: 'intent',
    path: relative(dir, file).split(sep).join('/'),
    format: MANIFEST_FORMAT,
    source: opts.source,
    licence: opts.licence,
    sha256,
    bytes: Buffer.byteLength(text),
    details: {
      name: model.name,
      trainingDataSha256: training.dataSha256,
      examples: training.examples,
      intents: r.intents,
      oosClass: model.oosClass !== null,
      method: `${r.method.net.kind} softmax over TF-IDF word ${r.method.features.wordN.join('-')}-grams + char ${r.method.features.charN.join('-')}-grams (${r.method.features.charMode}); Adam, ${r.method.net.epochs} epochs; temperature scaling + per-intent thresholds (${r.thresholds.method})`,
      heldOut: r.heldOut.source === 'none' ? r.heldOut : {
        source: r.heldOut.source,
        folds: r.heldOut.folds,
        items: r.heldOut.items,
        oosItems: r.heldOut.oosItems,
        acc: round(r.heldOut.acc),
        inscopeAcc: round(r.heldOut.inscopeAcc),
        oosRecall: r.heldOut.oosRecall === null ? null : round(r.heldOut.oosRecall),
        falseRejectRate: round(r.heldOut.falseRejectRate),
        eceRaw: round(r.heldOut.eceRaw),
        eceCalibrated: round(r.heldOut.eceCalibrated),
      },
      temperature: round(r.temperature),
      thresholds: { method: r.thresholds.method, global: r.thresholds.global, perIntent: r.thresholds.perIntent },
      created: (opts.now ?? new Date()).toISOString(),
      ...opts.details,
    },
  });
  upsertManifestEntry(entry, dir);
  return { file, entry };
}

function round(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}

/** Pretty JSON in which arrays and objects holding only numbers, strings, booleans or null stay on one line. */
export function compactJson(value: unknown, indent = ''): string {
  const flat = (v: unknown) => v === null || typeof v !== 'object';
  if (flat(value)) return JSON.stringify(value);
  const inner = indent + '  ';
  if (Array.isArray(value)) {
    if (value.every(flat)) return `[${value.map((v) => JSON.stringify(v)).join(', ')}]`;
    return `[\n${value.map((v) => inner + compactJson(v, inner)).join(',\n')}\n${indent}]`;
  }
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  if (entries.every(([, v]) => flat(v))) return `{ ${entries.map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}`).join(', ')} }`;
  return `{\n${entries.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${compactJson(v, inner)}`).join(',\n')}\n${indent}}`;
}

/** Offsets [start, end) of the elements of the JSON array whose '[' is at `open`; and the ']' offset. */
function arrayElementSpans(text: string, open: number): { spans: [number, number][]; close: number } {
  const spans: [number, number][] = [];
  let depth = 0;
  let inString = false;
  let elementStart = -1;
  for (let i = open + 1; i < text.length; i++) {
    const ch = text[i]!;
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') inString = true;
    if (/\s/.test(ch)) continue;
    if (depth === 0 && ch === ']') {
      if (elementStart >= 0) spans.push([elementStart, text.slice(0, i).trimEnd().length]);
      return { spans, close: i };
    }
    if (depth === 0 && ch === ',') {
      spans.push([elementStart, text.slice(0, i).trimEnd().length]);
      elementStart = -1;
      continue;
    }
    if (elementStart < 0) elementStart = i;
    if (ch === '{' || ch === '[') depth++;
    else if (ch === '}' || ch === ']') depth--;
  }
  throw new Error('unterminated array');
}

/**
 * Add or replace one entry of manifest.json, leaving the other entries' text as it is (other models'
 * entries are not ours to reformat); remove the entry's previous intent artifact.
 */
export function upsertManifestEntry(entry: ModelEntry, dir = defaultModelsDir): void {
  const file = join(dir, 'manifest.json');
  const entryText = compactJson(entry, '    ');
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true });
    writeAtomic(file, `{\n  "models": [\n    ${entryText}\n  ]\n}\n`);
    return;
  }
  const manifest = loadModelManifest(dir);
  const text = readFileSync(file, 'utf8');
  const at = /"models"\s*:\s*\[/.exec(text);
  if (!at) throw new AppError('manifest_invalid', `${file}: no "models" array`);
  const { spans, close } = arrayElementSpans(text, at.index + at[0].length - 1);
  if (spans.length !== manifest.models.length) throw new AppError('manifest_invalid', `${file}: could not locate the entries`);
  const index = manifest.models.findIndex((m) => m.id === entry.id);
  const previous = index >= 0 ? manifest.models[index] : undefined;
  let next: string;
  if (index >= 0) {
    const [a, b] = spans[index]!;
    next = text.slice(0, a) + entryText + text.slice(b);
  } else if (spans.length) {
    const end = spans[spans.length - 1]![1];
    next = text.slice(0, end) + `,\n    ${entryText}` + text.slice(end);
  } else {
    next = text.slice(0, close) + `\n    ${entryText}\n  ` + text.slice(close);
  }
  writeAtomic(file, next);
  loadModelManifest(dir); // still valid
  const models = loadModelManifest(dir).models;
  if (previous && previous.path !== entry.path && previous.kind === 'intent' && !models.some((m) => m.path === previous.path)) {
    const old = join(dir, previous.path);
    if (existsSync(old)) unlinkSync(old);
  }
}
