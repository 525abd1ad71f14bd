import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ValidationError } from '@cc/core';

/**
 * Loaders for the hallucination reference data (see shared/data/README.md, sections
 * hallucination/halueval and hallucination/begin) and the fixed dev/test splits the grounding
 * checker is calibrated and reported on.
 */

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');

/** `--data DIR`, else $HALLUCINATION_DATA_DIR, else shared/data/hallucination beside the repository. */
export function hallucinationDataDir(flag?: string): string {
  const dir = flag ?? process.env.HALLUCINATION_DATA_DIR ?? join(REPO_ROOT, '..', 'shared', 'data', 'hallucination');
  if (!existsSync(join(dir, 'halueval')) || !existsSync(join(dir, 'begin'))) {
    throw new ValidationError('hallucination data directory', [
      { path: dir, message: 'must hold halueval/ and begin/ (pass --data DIR or set HALLUCINATION_DATA_DIR)' },
    ]);
  }
  return dir;
}

export interface HaluQaRecord {
  index: number;
  knowledge: string;
  question: string;
  rightAnswer: string;
  hallucinatedAnswer: string;
}

export type HaluQaSet = 'one-turn' | 'multi-turn';

export function loadHaluQa(dir: string, set: HaluQaSet): HaluQaRecord[] {
  const file = join(dir, 'halueval', `qa_${set}_data.jsonl`);
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((line, index) => {
      const r = JSON.parse(line) as { knowledge: string; question: string; right_answer: string; hallucinated_answer: string };
      return { index, knowledge: r.knowledge, question: r.question, rightAnswer: r.right_answer, hallucinatedAnswer: r.hallucinated_answer };
    });
}

/** HaluEval dev slice (calibration): every fifth record (index % 5 === 0); the rest is test. */
export function isHaluDev(r: Pick<HaluQaRecord, 'index'>): boolean {
  return r.index % 5 === 0;
}

export type BeginLabel = 'Fully attributable' | 'Not fully attributable' | 'Generic';

export interface BeginRecord {
  model: string;
  source: string;
  knowledge: string;
  message: string;
  response: string;
  label: BeginLabel;
}

export const BEGIN_FILES = {
  test_wow: 'wow/begin_test_wow.tsv',
  dev_wow: 'wow/begin_dev_wow.tsv',
  dev_cmu: 'cmu-dog/begin_dev_cmu.tsv',
  dev_tc: 'topicalchat/begin_dev_tc.tsv',
} as const;
export type BeginSplit = keyof typeof BEGIN_FILES;

export function loadBegin(dir: string, split: BeginSplit): BeginRecord[] {
  const lines = readFileSync(join(dir, 'begin', BEGIN_FILES[split]), 'utf8').split('\n');
  const header = (lines.shift() ?? '').split('\t').map((h) => h.trim());
  const col = (name: string) => {
    const i = header.indexOf(name);
    if (i < 0) throw new ValidationError('BEGIN file', [{ path: BEGIN_FILES[split], message: `missing column ${name}` }]);
    return i;
  };
  const [m, s, k, msg, r, l] = ['model_name', 'data_source', 'knowledge', 'message', 'response', 'begin_label'].map(col) as [number, number, number, number, number, number];
  return lines
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const c = line.split('\t');
      return { model: c[m] ?? '', source: c[s] ?? '', knowledge: c[k] ?? '', message: c[msg] ?? '', response: c[r] ?? '', label: (c[l] ?? '').trim() as BeginLabel };
    });
}
