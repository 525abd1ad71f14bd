/**
 * Text normalisation shared by training and inference, tuned for ASR output and typed chat alike:
 * ASR says "twenty five dollars", chat says "$25"; ASR has no punctuation or casing, chat has both.
 * Both sides are brought to one form: lowercase, accents folded, contractions expanded, spoken
 * numbers turned into digits, digit runs collapsed to one shape token, symbols spelled out,
 * punctuation dropped. Letters of any script are kept (so non-English text stays visibly unknown
 * to the model instead of vanishing).
 */

const SMALL: Record<string, number> = {
  zero: 0, oh: 0, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10,
  eleven: 11, twelve: 12, thirteen: 13, fourteen: 14, fifteen: 15, sixteen: 16, seventeen: 17, eighteen: 18, nineteen: 19,
  twenty: 20, thirty: 30, forty: 40, fourty: 40, fifty: 50, sixty: 60, seventy: 70, eighty: 80, ninety: 90,
};
const SCALE: Record<string, number> = { hundred: 100, thousand: 1000, million: 1e6, billion: 1e9 };
/** Word ordinals past "third" read as day-of-month numbers ("march fourteenth" = "march 14th"). */
const ORDINAL = new Set([
  'fourth', 'fifth', 'sixth', 'seventh', 'eighth', 'ninth', 'tenth', 'eleventh', 'twelfth', 'thirteenth', 'fourteenth', 'fifteenth',
  'sixteenth', 'seventeenth', 'eighteenth', 'nineteenth', 'twentieth', 'thirtieth',
]);

/** Contractions are expanded so "can't" (chat) and "can not" / "cannot" (ASR) look the same. */
const CONTRACTIONS: [RegExp, string][] = [
  [/\bcan't\b/g, 'can not'],
  [/\bcannot\b/g, 'can not'],
  [/\bwon't\b/g, 'will not'],
  [/\bshan't\b/g, 'shall not'],
  [/\bain't\b/g, 'is not'],
  [/n't\b/g, ' not'],
  [/'re\b/g, ' are'],
  [/'ve\b/g, ' have'],
  [/'ll\b/g, ' will'],
  [/'d\b/g, ' would'],
  [/'m\b/g, ' am'],
  [/\blet's\b/g, 'let us'],
  [/\b(it|that|what|there|here|who|where|how|he|she)'s\b/g, '$1 is'],
  [/'s\b/g, ''],
  [/\b(wanna)\b/g, 'want to'],
  [/\b(gonna)\b/g, 'going to'],
  [/\b(gotta)\b/g, 'got to'],
];

const SYMBOLS: [RegExp, string][] = [
  // "$25" is read "25 dollars"
  [/[$]\s*(\d[\d,.]*)/g, ' $1 dollars '],
  [/€\s*(\d[\d,.]*)/g, ' $1 euros '],
  [/£\s*(\d[\d,.]*)/g, ' $1 pounds '],
  [/[$]/g, ' dollars '],
  [/€/g, ' euros '],
  [/£/g, ' pounds '],
  [/%/g, ' percent '],
  [/&/g, ' and '],
  [/@/g, ' at '],
  [/\+/g, ' plus '],
];

/** The token standing for any run of digits (amounts, dates, card numbers are not intents). */
export const NUM_TOKEN = '0';

function isNumberWord(w: string): boolean {
  return w in SMALL || w in SCALE;
}

/**
 * Spoken numbers → one digit token. A lone "one" / "oh" stays a word ("this one", "one way", "oh no"):
 * it is only read as a number next to another number word or a digit.
 */
function spokenNumbers(words: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (ORDINAL.has(w)) {
      out.push(NUM_TOKEN + 'th');
      continue;
    }
    if (!isNumberWord(w)) {
      out.push(w);
      continue;
    }
    let j = i;
    while (j < words.length && (isNumberWord(words[j]!) || (words[j] === 'and' && j + 1 < words.length && isNumberWord(words[j + 1]!) && j > i))) j++;
    const run = j - i;
    const ambiguous = run === 1 && (w === 'one' || w === 'oh');
    if (ambiguous && !(/^\d/.test(words[i - 1] ?? '') || /^\d/.test(words[i + 1] ?? ''))) {
      out.push(w);
      continue;
    }
    out.push(NUM_TOKEN);
    i = j - 1;
  }
  return out;
}

export interface NormalizeOptions {
  /** Cap on characters looked at (longer input is cut; callers decide what a too-long input means). */
  maxChars?: number;
}

/** Normalised words of an utterance. Never throws; non-strings and empty input give []. */
export function normalizeWords(text: unknown, opts: NormalizeOptions = {}): string[] {
  if (typeof text !== 'string') return [];
  let s = text.length > (opts.maxChars ?? 4000) ? text.slice(0, opts.maxChars ?? 4000) : text;
  s = s.normalize('NFKD').replace(/\p{M}+/gu, '').toLowerCase();
  s = s.replace(/[\u2018\u2019\u02bc`´]/g, "'");
  for (const [re, rep] of CONTRACTIONS) s = s.replace(re, rep);
  for (const [re, rep] of SYMBOLS) s = s.replace(re, rep);
  // digits: "1,000.50" "12:30" "3rd" → shape tokens; ordinals keep their "th"
  s = s.replace(/\b1st\b/g, ' first ').replace(/\b2nd\b/g, ' second ').replace(/\b3rd\b/g, ' third ');
  s = s.replace(/\d+(?:[.,:/-]\d+)*(st|nd|rd|th\b)?/g, (_, ordinal?: string) => (ordinal ? ` ${NUM_TOKEN}th ` : ` ${NUM_TOKEN} `));
  s = s.replace(/[^\p{L}\p{N}]+/gu, ' ').trim();
  if (!s) return [];
  const words = spokenNumbers(s.split(' '));
  // collapse repeated number tokens ("0 0" from "twenty five 25")
  const out: string[] = [];
  for (const w of words) if (!(w === NUM_TOKEN && out[out.length - 1] === NUM_TOKEN)) out.push(w);
  return out;
}

export function normalizeUtterance(text: unknown, opts: NormalizeOptions = {}): string {
  return normalizeWords(text, opts).join(' ');
}
