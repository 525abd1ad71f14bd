import vader from 'vader-sentiment';
import { CC_TERMS, NEUTRALISE, type CcSignal } from './lexicon.ts';

/**
 * Per-turn sentiment: VADER (the lexicon and rules of Hutto & Gilbert 2014, npm vader-sentiment)
 * with contact-center terms added (lexicon.ts): the VADER compound is turned back into its raw
 * valence sum, the contact-center valences are added, and the sum is normalised again the way
 * VADER does (x / √(x² + 15)). Politeness and answer words are taken out before VADER scores the
 * text. Deterministic, about 20–60 µs per utterance, never throws.
 */
export type SentimentLabel = 'negative' | 'neutral' | 'positive';

export interface SentimentResult {
  /** −1 (very negative) … 1 (very positive). */
  score: number;
  label: SentimentLabel;
  /** VADER's compound score of the text alone. */
  vader: number;
  /** Contact-center phrases found, with their valence. */
  terms: { text: string; valence: number; signal?: CcSignal }[];
  signals: Record<CcSignal, boolean>;
}

export interface SentimentOptions {
  /** Add the contact-center terms (default true; false gives plain VADER). */
  contactCenter?: boolean;
  /** |score| at or above which a turn is negative/positive (default 0.15, chosen on the dev split). */
  threshold?: number;
}

const ALPHA = 15;
const NEGATORS = /\b(?:not|don'?t|do\s+not|never|no\s+need\s+to|doesn'?t|won'?t|wouldn'?t|didn'?t)\s+(?:\w+\s+){0,2}$/i;

function rawFromCompound(c: number): number {
  const x = Math.max(-0.9999, Math.min(0.9999, c));
  return x * Math.sqrt(ALPHA / (1 - x * x));
}

function normalise(raw: number): number {
  return raw / Math.sqrt(raw * raw + ALPHA);
}

export function labelFor(score: number, threshold = 0.15): SentimentLabel {
  if (score <= -threshold) return 'negative';
  if (score >= threshold) return 'positive';
  return 'neutral';
}

function vaderCompound(text: string): number {
  try {
    const c = vader.SentimentIntensityAnalyzer.polarity_scores(text).compound;
    return Number.isFinite(c) ? c : 0;
  } catch {
    return 0;
  }
}

export function scoreSentiment(input: unknown, opts: SentimentOptions = {}): SentimentResult {
  const text = typeof input === 'string' ? input.slice(0, 5000) : '';
  const signals: Record<CcSignal, boolean> = { escalation: false, churn: false, repeat: false, complaint: false };
  const threshold = opts.threshold ?? 0.15;
  if (!text.trim()) return { score: 0, label: 'neutral', vader: 0, terms: [], signals };
  const plain = vaderCompound(text);
  if (opts.contactCenter === false) return { score: plain, label: labelFor(plain, threshold), vader: plain, terms: [], signals };

  const terms: SentimentResult['terms'] = [];
  let masked = text;
  for (const t of CC_TERMS) {
    for (const m of text.matchAll(t.re)) {
      if (t.negatable && NEGATORS.test(text.slice(Math.max(0, m.index - 30), m.index))) continue;
      terms.push({ text: m[0], valence: t.valence, ...(t.signal ? { signal: t.signal } : {}) });
      if (t.signal) signals[t.signal] = true;
      // VADER should not count these words a second time ("thanks for nothing" is not thanks).
      masked = masked.slice(0, m.index) + ' '.repeat(m[0].length) + masked.slice(m.index + m[0].length);
    }
  }
  for (const [re, rep] of NEUTRALISE) masked = masked.replace(re, rep);
  const base = vaderCompound(masked);
  const raw = rawFromCompound(base) + terms.reduce((s, t) => s + t.valence, 0);
  const score = Math.round(normalise(raw) * 10_000) / 10_000;
  return { score, label: labelFor(score, threshold), vader: plain, terms, signals };
}
