import { createHash } from 'node:crypto';
import { createReadStream, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { AppError } from './errors.ts';
import { parseOrThrow } from './validate.ts';

export const ModelEntry = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/),
  kind: z.enum(['vad', 'asr', 'tts', 'intent', 'grounding', 'other']),
  /** Relative to the models folder. */
  path: z.string().min(1).refine((p) => !p.startsWith('/') && !p.split('/').includes('..'), 'must stay inside models/'),
  format: z.string().min(1),
  source: z.string().min(1),
  licence: z.string().min(1),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  bytes: z.number().int().positive(),
  details: z.record(z.string(), z.unknown()).default({}),
});
export type ModelEntry = z.infer<typeof ModelEntry>;

export const ModelManifest = z.object({ models: z.array(ModelEntry) });
export type ModelManifest = z.infer<typeof ModelManifest>;

export const modelsDir = resolve(dirname(fileURLToPath(import.meta.url)), '../../../models');

export function loadModelManifest(dir = modelsDir): ModelManifest {
  const file = join(dir, 'manifest.json');
  return parseOrThrow(ModelManifest, JSON.parse(readFileSync(file, 'utf8')), `model manifest ${file}`);
}

/** The model's absolute path, after checking that its size and sha256 match the manifest. */
export async function verifiedModelPath(entry: ModelEntry, dir = modelsDir): Promise<string> {
  const file = join(dir, entry.path);
  const size = statSync(file, { throwIfNoEntry: false })?.size;
  if (size === undefined) throw new AppError('model_missing', `Model ${entry.id} missing: ${file}`);
  if (size !== entry.bytes) throw new AppError('model_corrupt', `Model ${entry.id} is ${size} bytes, manifest says ${entry.bytes}: ${file}`);
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  const actual = hash.digest('hex');
  if (actual !== entry.sha256) throw new AppError('model_corrupt', `Model ${entry.id} sha256 ${actual} does not match the manifest's ${entry.sha256}: ${file}`);
  return file;
}
