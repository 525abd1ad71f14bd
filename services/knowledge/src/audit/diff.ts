/**
 * Line diff of two article versions (longest common subsequence of lines), for the review workflow:
 * what an edit changed. Deterministic. Bodies too large for the quadratic table (more than
 * MAX_CELLS line pairs after the common head and tail are trimmed) come back as one removal and one
 * addition of the differing middle.
 */

export type DiffOp = 'equal' | 'add' | 'remove';

export interface DiffLine {
  op: DiffOp;
  text: string;
  /** 1-based line number in the old text (equal and remove). */
  oldLine?: number;
  /** 1-based line number in the new text (equal and add). */
  newLine?: number;
}

export interface LineDiff {
  lines: DiffLine[];
  added: number;
  removed: number;
  /** True when the middle was too large to align line by line. */
  coarse: boolean;
}

const MAX_CELLS = 4_000_000;

export function diffLines(oldText: string, newText: string): LineDiff {
  const a = split(oldText);
  const b = split(newText);
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const am = a.slice(head, a.length - tail);
  const bm = b.slice(head, b.length - tail);

  const lines: DiffLine[] = [];
  for (let i = 0; i < head; i++) lines.push({ op: 'equal', text: a[i]!, oldLine: i + 1, newLine: i + 1 });
  let coarse = false;
  if (am.length * bm.length > MAX_CELLS) {
    coarse = true;
    am.forEach((text, i) => lines.push({ op: 'remove', text, oldLine: head + i + 1 }));
    bm.forEach((text, i) => lines.push({ op: 'add', text, newLine: head + i + 1 }));
  } else {
    // lcs[i][j] = LCS length of am[i..] and bm[j..], in one flat array.
    const w = bm.length + 1;
    const lcs = new Uint32Array((am.length + 1) * w);
    for (let i = am.length - 1; i >= 0; i--) {
      for (let j = bm.length - 1; j >= 0; j--) {
        lcs[i * w + j] = am[i] === bm[j] ? lcs[(i + 1) * w + j + 1]! + 1 : Math.max(lcs[(i + 1) * w + j]!, lcs[i * w + j + 1]!);
      }
    }
    let i = 0;
    let j = 0;
    while (i < am.length || j < bm.length) {
      if (i < am.length && j < bm.length && am[i] === bm[j]) {
        lines.push({ op: 'equal', text: am[i]!, oldLine: head + i + 1, newLine: head + j + 1 });
        i++;
        j++;
      } else if (i < am.length && (j >= bm.length || lcs[(i + 1) * w + j]! >= lcs[i * w + j + 1]!)) {
        lines.push({ op: 'remove', text: am[i]!, oldLine: head + i + 1 });
        i++;
      } else {
        lines.push({ op: 'add', text: bm[j]!, newLine: head + j + 1 });
        j++;
      }
    }
  }
  for (let k = 0; k < tail; k++) {
    const oi = a.length - tail + k;
    const ni = b.length - tail + k;
    lines.push({ op: 'equal', text: a[oi]!, oldLine: oi + 1, newLine: ni + 1 });
  }
  return { lines, added: lines.filter((l) => l.op === 'add').length, removed: lines.filter((l) => l.op === 'remove').length, coarse };
}

function split(text: string): string[] {
  if (typeof text !== 'string' || text === '') return [];
  return text.replace(/\r\n?/g, '\n').split('\n');
}
