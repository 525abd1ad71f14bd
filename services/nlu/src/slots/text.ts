import { parseSpokenNumbers, type ParsedSpokenNumbers } from '@cc/core';

/**
 * An utterance as the extractors see it: the original text, and the text with spoken numbers
 * written as digits ("norm"), whose offsets map back to the original.
 */
export interface Doc {
  text: string;
  parsed: ParsedSpokenNumbers;
  norm: string;
}

export function makeDoc(text: string): Doc {
  const parsed = parseSpokenNumbers(text);
  return { text, parsed, norm: parsed.text };
}

/** Original [start, end) of a range of the normalised text. */
export function orig(doc: Doc, start: number, end: number): [number, number] {
  return doc.parsed.toOriginal(start, end);
}

/**
 * Spoken numbers written as digits: "four five six" → "456", "forty five dollars and ninety nine
 * cents" → "45 dollars and 99 cents", "twelve hundred" → "1200", "double five" → "55", "the fifth
 * of march" → "the 5th of march". Typed digits are kept; a lone "one" / "oh" / "second" that reads
 * as a word stays a word ("the one I bought", "oh I see", "wait a second").
 */
export function normaliseSpokenNumbers(text: string): string {
  return parseSpokenNumbers(typeof text === 'string' ? text : '').text;
}

/** Words that say the caller corrects what they said before: the later value holds. */
export const CORRECTION_RE =
  /\b(?:no|nope|sorry|i mean|i meant|actually|wait|make (?:it|that)|change (?:it|that)(?: to)?|rather|instead|correction|scratch that|on second thought|not\s+\S+\s*,?\s*but|i said)\b/i;

/** A cue regex matched in the `window` characters before `pos` of `s`. */
export function cueBefore(s: string, pos: number, re: RegExp, window = 40): boolean {
  const slice = s.slice(Math.max(0, pos - window), pos);
  if (/[.?!;]\s/.test(slice)) {
    const after = slice.split(/[.?!;]\s/).pop() ?? '';
    return re.test(after);
  }
  return re.test(slice);
}

/** Everything in `s` but the [start, end) range and small filler words: is the answer bare? */
export function isBareAnswer(s: string, start: number, end: number): boolean {
  const rest = (s.slice(0, start) + ' ' + s.slice(end)).toLowerCase().replace(/[^a-z' ]+/g, ' ');
  const filler = new Set([
    'it', "it's", 'its', 'is', 'my', 'the', 'um', 'uh', 'er', 'ah', 'so', 'sure', 'yes', 'yeah', 'ok', 'okay', 'that', "that's", 'thats',
    'be', 'would', 'will', 'should', 'please', 'thanks', 'thank', 'you', 'number', 'id', 'code', 'about', 'around', 'roughly', 'i', 'think',
    'was', 'a', 'an', 'of', 'on', 'at', 'for', 'just', 'oh', 'let', 'me', 'see', 'well', 'hmm', 'mm', 'right', 'one', 'moment',
  ]);
  return rest.split(/\s+/).filter((w) => w && !filler.has(w)).length <= 2;
}

export function overlaps(a: { start: number; end: number }, b: { start: number; end: number }): boolean {
  return a.start < b.end && b.start < a.end;
}
