import { extractSlots } from './extract.ts';
import type { SlotKind, SlotResult } from './types.ts';

/** A labelled slot case (see fixtures/sgd-slot-cases.json). */
export interface SlotCase {
  id: string;
  kind: Extract<SlotKind, 'amount' | 'date' | 'time' | 'number' | 'yes_no'>;
  slot: string;
  utterance: string;
  surface?: string;
  expected: string | boolean;
  expecting: boolean;
}

export interface KindScore {
  n: number;
  correct: number;
  wrong: number;
  ambiguous: number;
  conflict: number;
  missing: number;
  /** correct / n */
  accuracy: number;
  /** correct / (correct + wrong): how often a value that was given is right. */
  precision: number;
}

export interface CaseOutcome {
  c: SlotCase;
  result: SlotResult;
  outcome: 'correct' | 'wrong' | 'ambiguous' | 'conflict' | 'missing';
}

function matches(c: SlotCase, r: SlotResult): boolean {
  const v = r.value;
  switch (c.kind) {
    case 'amount':
      return typeof v === 'object' && v !== null && Math.abs(v.amount - Number(c.expected)) < 0.005;
    case 'number':
      return Number(v) === Number(c.expected);
    case 'yes_no':
      return v === c.expected;
    default:
      return v === c.expected;
  }
}

export function scoreSlotCases(cases: readonly SlotCase[], referenceDate = '2019-03-01'): { byKind: Record<string, KindScore>; outcomes: CaseOutcome[] } {
  const outcomes: CaseOutcome[] = [];
  for (const c of cases) {
    const res = extractSlots(c.utterance, [{ name: c.slot, kind: c.kind }], { referenceDate, ...(c.expecting ? { expecting: c.slot } : {}) });
    const r = res.slots[c.slot]!;
    const outcome = r.status === 'filled' ? (matches(c, r) ? 'correct' : 'wrong') : r.status;
    outcomes.push({ c, result: r, outcome });
  }
  const byKind: Record<string, KindScore> = {};
  for (const o of outcomes) {
    const k = (byKind[o.c.kind] ??= { n: 0, correct: 0, wrong: 0, ambiguous: 0, conflict: 0, missing: 0, accuracy: 0, precision: 0 });
    k.n++;
    k[o.outcome]++;
  }
  for (const k of Object.values(byKind)) {
    k.accuracy = k.n ? k.correct / k.n : 0;
    k.precision = k.correct + k.wrong ? k.correct / (k.correct + k.wrong) : 0;
  }
  return { byKind, outcomes };
}

const ONES = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve', 'thirteen', 'fourteen', 'fifteen', 'sixteen', 'seventeen', 'eighteen', 'nineteen'];
const TENS_W = ['', '', 'twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety'];
const ORD: Record<string, string> = { one: 'first', two: 'second', three: 'third', five: 'fifth', eight: 'eighth', nine: 'ninth', twelve: 'twelfth' };

/** 0 … 999 999 in words ("one thousand two hundred ten"). */
export function numberWords(n: number): string {
  if (n < 20) return ONES[n]!;
  if (n < 100) return TENS_W[Math.floor(n / 10)]! + (n % 10 ? ` ${ONES[n % 10]}` : '');
  if (n < 1000) return `${ONES[Math.floor(n / 100)]} hundred` + (n % 100 ? ` ${numberWords(n % 100)}` : '');
  return `${numberWords(Math.floor(n / 1000))} thousand` + (n % 1000 ? ` ${numberWords(n % 1000)}` : '');
}

export function ordinalWords(n: number): string {
  const w = numberWords(n).split(' ');
  const last = w.pop()!;
  const o = ORD[last] ?? (last.endsWith('y') ? `${last.slice(0, -1)}ieth` : `${last}th`);
  return [...w, o].join(' ');
}

/**
 * The utterance as a speech recogniser would write it: lower case, no punctuation, every number in
 * words ("$1,210" → "one thousand two hundred ten dollars", "10:30" → "ten thirty", "5:45 pm" →
 * "five forty five pm", "17:00" → "five pm", "08:15" → "eight fifteen am", "the 5th" → "the fifth").
 * Used to measure the extractors on spoken forms of the SGD cases.
 */
export function spokenForm(text: string): string {
  let s = text;
  s = s.replace(/\$(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{2}))?/g, (_m, a: string, c?: string) => `${numberWords(Number(a.replace(/,/g, '')))} dollars${c ? ` and ${numberWords(Number(c))} cents` : ''}`);
  s = s.replace(/\b(\d{1,2}):(\d{2})(\s*(?:am|pm|a\.m\.|p\.m\.))?/gi, (_m, h: string, mm: string, ap?: string) => {
    let hour = Number(h);
    let suffix = ap ? ` ${ap.trim().toLowerCase().replace(/\./g, '')}` : '';
    if (!ap && hour >= 13) {
      hour -= 12;
      suffix = ' pm';
    } else if (!ap && h.length === 2 && h.startsWith('0')) suffix = ' am';
    const minutes = Number(mm) === 0 ? (suffix ? '' : " o'clock") : Number(mm) < 10 ? ` oh ${numberWords(Number(mm))}` : ` ${numberWords(Number(mm))}`;
    return `${numberWords(hour)}${minutes}${suffix}`;
  });
  s = s.replace(/\b(\d{1,2})(?:st|nd|rd|th)\b/gi, (_m, d: string) => ordinalWords(Number(d)));
  s = s.replace(/\b(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?\b/g, (_m, a: string, dec?: string) => `${numberWords(Number(a.replace(/,/g, '')))}${dec ? ` point ${dec.split('').map((d) => ONES[Number(d)]).join(' ')}` : ''}`);
  return s.toLowerCase().replace(/[^a-z0-9' ]+/g, ' ').replace(/\s+/g, ' ').trim();
}
