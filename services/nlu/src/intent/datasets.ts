/**
 * Readers for the public intent benchmarks kept in the shared reference data folder
 * (`intents/banking77/{train,test}.csv`, `intents/clinc150/data_full.json`).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppError } from '@cc/core';

export interface LabelledText {
  text: string;
  intent: string;
}

/** The label CLINC150 gives out-of-scope utterances; the trainer treats it as "no intent". */
export const OOS_LABEL = 'oos';

/** RFC 4180 CSV (quoted fields, doubled quotes, newlines inside quotes). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') { field += '"'; i++; } else quoted = false;
      } else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') { row.push(field); field = ''; }
    else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += ch;
  }
  if (field !== '' || row.length > 0) { row.push(field); rows.push(row); }
  return rows;
}

function readData(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new AppError('dataset_missing', `Cannot read intent dataset ${file}: ${(err as Error).message}`, { cause: err });
  }
}

export function loadBanking77(dir: string): { train: LabelledText[]; test: LabelledText[] } {
  const read = (name: string) => {
    const file = join(dir, name);
    const [header, ...rows] = parseCsv(readData(file));
    if (header?.[0] !== 'text' || header[1] !== 'category') throw new AppError('dataset_invalid', `${file}: expected header text,category`);
    return rows.filter((r) => r.length >= 2 && r[0]).map((r) => ({ text: r[0]!, intent: r[1]! }));
  };
  return { train: read('train.csv'), test: read('test.csv') };
}

export type ClincSplit = 'train' | 'val' | 'test' | 'oos_train' | 'oos_val' | 'oos_test';

export function loadClinc150(file: string): Record<ClincSplit, LabelledText[]> {
  let data: Record<string, [string, string][]>;
  try {
    data = JSON.parse(readData(file));
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw new AppError('dataset_invalid', `${file} is not valid JSON: ${(err as Error).message}`);
  }
  const split = (name: ClincSplit) => {
    const rows = data[name];
    if (!Array.isArray(rows)) throw new AppError('dataset_invalid', `${file}: split ${name} missing`);
    return rows.map(([text, intent]) => ({ text, intent }));
  };
  return { train: split('train'), val: split('val'), test: split('test'), oos_train: split('oos_train'), oos_val: split('oos_val'), oos_test: split('oos_test') };
}
