/**
 * Sparse n-gram features: word n-grams and character n-grams, hashed to 32-bit keys (FNV-1a),
 * mapped to a vocabulary kept from training data, weighted by sublinear TF × IDF and L2-normalised
 * per block (words, characters), the blocks then scaled and concatenated.
 */
import { normalizeWords } from './normalize.ts';

export interface FeatureSpec {
  /** Word n-gram orders, e.g. [1, 2]. */
  wordN: [number, number];
  /** Character n-gram orders, e.g. [2, 5]. */
  charN: [number, number];
  /** 'wb': n-grams inside each space-padded word; 'span': over the whole space-joined utterance. */
  charMode: 'wb' | 'span';
  /** Features seen in fewer training utterances are dropped. */
  minDf: number;
  /** Weight of the word block relative to the character block (each L2-normalised first). */
  wordWeight: number;
  /** tf: 'log' = 1 + ln(count), 'binary' = 1. */
  tf: 'log' | 'binary';
  /** Unordered word pairs at most this many words apart (0 = off), added to the word block. */
  pairWindow: number;
}

export const DEFAULT_FEATURES: FeatureSpec = { wordN: [1, 2], charN: [2, 5], charMode: 'wb', minDf: 1, wordWeight: 1, tf: 'log', pairWindow: 0 };

/** FNV-1a over UTF-16 code units, with a seed per feature type. */
export function fnv1a(s: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

const WORD_SEED = 0x811c9dc5;
const CHAR_SEED = 0x1b873593;

/** Raw feature counts of normalised words; key → count, separately for words and characters. */
export function rawFeatures(words: string[], spec: FeatureSpec): { word: Map<number, number>; char: Map<number, number> } {
  const word = new Map<number, number>();
  const char = new Map<number, number>();
  const add = (m: Map<number, number>, k: number) => m.set(k, (m.get(k) ?? 0) + 1);
  const [wLo, wHi] = spec.wordN;
  if (wHi > 0) {
    for (let n = Math.max(1, wLo); n <= wHi; n++) {
      // bigrams and up see sentence boundaries, so "card" at the start differs from inside
      const seq = n > 1 ? ['<s>', ...words, '</s>'] : words;
      for (let i = 0; i + n <= seq.length; i++) add(word, fnv1a(seq.slice(i, i + n).join(' '), WORD_SEED + n));
    }
  }
  if (spec.pairWindow > 1) {
    for (let i = 0; i < words.length; i++) {
      for (let j = i + 2; j <= i + spec.pairWindow && j < words.length; j++) {
        const a = words[i]!;
        const b = words[j]!;
        add(word, fnv1a(a < b ? `${a}|${b}` : `${b}|${a}`, WORD_SEED + 99));
      }
    }
  }
  const [cLo, cHi] = spec.charN;
  if (cHi > 0) {
    const units = spec.charMode === 'wb' ? words.map((w) => ` ${w} `) : [` ${words.join(' ')} `];
    for (const u of units) {
      for (let n = cLo; n <= cHi; n++) {
        if (u.length < n) continue;
        for (let i = 0; i + n <= u.length; i++) add(char, fnv1a(u.slice(i, i + n), CHAR_SEED));
      }
    }
  }
  return { word, char };
}

/** A sparse row: feature indices (ascending not required) and values. */
export interface SparseRow {
  idx: Int32Array;
  val: Float32Array;
}

/** The fitted vectoriser: vocabulary (hash key → column) and IDF per column. */
export class Vectorizer {
  private readonly wordIndex = new Map<number, number>();
  private readonly charIndex = new Map<number, number>();
  constructor(
    readonly spec: FeatureSpec,
    /** Hash keys of the columns; word block first (`wordCount` columns), then characters. */
    readonly keys: Uint32Array,
    readonly idf: Float32Array,
    readonly wordCount: number,
  ) {
    for (let i = 0; i < keys.length; i++) (i < wordCount ? this.wordIndex : this.charIndex).set(keys[i]!, i);
  }

  get dim(): number {
    return this.keys.length;
  }

  static fit(docs: string[][], spec: FeatureSpec): Vectorizer {
    const wdf = new Map<number, number>();
    const cdf = new Map<number, number>();
    for (const words of docs) {
      const { word, char } = rawFeatures(words, spec);
      for (const k of word.keys()) wdf.set(k, (wdf.get(k) ?? 0) + 1);
      for (const k of char.keys()) cdf.set(k, (cdf.get(k) ?? 0) + 1);
    }
    const n = docs.length;
    const keep = (m: Map<number, number>) => [...m.entries()].filter(([, df]) => df >= spec.minDf).sort((a, b) => a[0] - b[0]);
    const w = keep(wdf);
    const c = keep(cdf);
    const keys = new Uint32Array(w.length + c.length);
    const idf = new Float32Array(w.length + c.length);
    let i = 0;
    for (const [k, df] of [...w, ...c]) {
      keys[i] = k;
      idf[i] = Math.log((1 + n) / (1 + df)) + 1;
      i++;
    }
    return new Vectorizer(spec, keys, idf, w.length);
  }

  /**
   * TF-IDF row of normalised words, plus how much of the utterance the vocabulary knows: the share
   * of its words seen in training (`tokenCoverage`) and of its character n-grams (`charCoverage`).
   * Unknown text (garbage, another language) has low coverage.
   */
  transform(words: string[]): SparseRow & { tokenCoverage: number; charCoverage: number } {
    const { word, char } = rawFeatures(words, this.spec);
    const idx: number[] = [];
    const val: number[] = [];
    const block = (m: Map<number, number>, index: Map<number, number>, weight: number) => {
      const start = idx.length;
      let sq = 0;
      let known = 0;
      let total = 0;
      for (const [k, count] of m) {
        total += count;
        const j = index.get(k);
        if (j === undefined) continue;
        known += count;
        const v = (this.spec.tf === 'binary' ? 1 : 1 + Math.log(count)) * this.idf[j]!;
        idx.push(j);
        val.push(v);
        sq += v * v;
      }
      const norm = sq > 0 ? weight / Math.sqrt(sq) : 0;
      for (let i = start; i < val.length; i++) val[i]! *= norm;
      return total > 0 ? known / total : 0;
    };
    block(word, this.wordIndex, this.spec.wordWeight);
    const charCoverage = block(char, this.charIndex, 1);
    let tokenCoverage = charCoverage;
    if (this.spec.wordN[0] <= 1 && this.spec.wordN[1] >= 1 && words.length) {
      let known = 0;
      for (const w of words) if (this.wordIndex.has(fnv1a(w, WORD_SEED + 1))) known++;
      tokenCoverage = known / words.length;
    }
    return { idx: Int32Array.from(idx), val: Float32Array.from(val), tokenCoverage, charCoverage };
  }

  transformText(text: unknown) {
    return this.transform(normalizeWords(text));
  }
}
