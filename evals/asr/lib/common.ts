import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const evalDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const repoDir = resolve(evalDir, '../..');
/** Generated data (audio, features, statistics, decodes). Not committed; see evals/asr/.gitignore. */
export const workDir = process.env.ASR_WORK ? resolve(process.env.ASR_WORK) : join(evalDir, 'work');
export const sharedData = process.env.SHARED_DATA ? resolve(process.env.SHARED_DATA) : '/work/shared/data';
export const modelOut = join(repoDir, 'models/asr');
export const systemModel = '/usr/share/pocketsphinx/model/en-us';

export function ensureDir(p: string): string {
  mkdirSync(p, { recursive: true });
  return p;
}

/** mulberry32: small seeded PRNG so the data lists are reproducible. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function shuffle<T>(xs: T[], rand: () => number): T[] {
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

export function pick<T>(xs: readonly T[], rand: () => number): T {
  return xs[Math.floor(rand() * xs.length)]!;
}
