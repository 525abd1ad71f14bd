/**
 * Spoken numbers as ASR writes them ("four one one one", "forty five", "twelve hundred",
 * "double five", "nineteen oh five", "twenty third") turned into digits, with a map back to the
 * original text so that anything found in the digit form can be located (and replaced) in the
 * original.
 *
 * A run of number words is parsed into groups: a new group starts whenever the next word cannot
 * extend the current number ("four one" → 4 | 1, "one twenty three" → 1 | 23, "forty five ninety
 * nine" → 45 | 99). One group is written as its value ("forty five" → "45", "twelve hundred" →
 * "1200"); several groups are written as their digits side by side ("one twenty three" → "123",
 * "four one one one" → "4111"), which is how people read out card, phone and order numbers.
 * Commas and other punctuation end a run, so "four one one one, one one one one" stays two chunks.
 *
 * Words that are only numbers next to other numbers stay words when alone: "oh" ("oh I see"),
 * "o" (a spelled letter), "one" after a determiner ("the one I bought"), "second" ("wait a second").
 * Deterministic, linear in the input, never throws on strings.
 */

export const UNITS: Readonly<Record<string, number>> = {
  zero: 0, oh: 0, o: 0, nought: 0, nil: 0,
  one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9,
};
export const TEENS: Readonly<Record<string, number>> = {
  ten: 10, eleven: 11, twelve: 12, thirteen: 13, fourteen: 14, fifteen: 15, sixteen: 16, seventeen: 17, eighteen: 18, nineteen: 19,
};
export const TENS: Readonly<Record<string, number>> = {
  twenty: 20, thirty: 30, forty: 40, fourty: 40, fifty: 50, sixty: 60, seventy: 70, eighty: 80, ninety: 90, ninty: 90,
};
export const SCALES: Readonly<Record<string, number>> = { thousand: 1_000, million: 1_000_000, billion: 1_000_000_000 };
export const ORDINALS: Readonly<Record<string, number>> = {
  first: 1, second: 2, third: 3, fourth: 4, fifth: 5, sixth: 6, seventh: 7, eighth: 8, ninth: 9, tenth: 10,
  eleventh: 11, twelfth: 12, thirteenth: 13, fourteenth: 14, fifteenth: 15, sixteenth: 16, seventeenth: 17,
  eighteenth: 18, nineteenth: 19, twentieth: 20, thirtieth: 30, fortieth: 40, fiftieth: 50, sixtieth: 60,
  seventieth: 70, eightieth: 80, ninetieth: 90,
};
const HOMOPHONES: Readonly<Record<string, number>> = { for: 4, to: 2, too: 2, won: 1, ate: 8 };
const MONTHS = new Set([
  'january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december',
  'jan', 'feb', 'mar', 'apr', 'jun', 'jul', 'aug', 'sep', 'sept', 'oct', 'nov', 'dec',
]);
/** "the one", "that one", "no one": a lone "one" after these is a pronoun, not a number. */
const ONE_PRONOUN_BEFORE = new Set([
  'the', 'this', 'that', 'which', 'each', 'every', 'any', 'no', 'some', 'another', 'other', 'little', 'last', 'next', 'right',
  'wrong', 'new', 'old', 'only', 'same', 'a', 'an', 'first', 'second', 'big', 'small', 'blue', 'red', 'black', 'white', 'other',
  'someone', 'anyone', 'everyone', 'better', 'cheaper', 'good', 'bad', 'correct', 'different', 'original',
]);
const ONE_PRONOUN_AFTER = new Set(['of', 'another', 'more', 'day', 'thing', 'sec', 'second', 'moment', 'minute', 'way']);

export function ordinalSuffix(n: number): string {
  const mod100 = n % 100;
  if (mod100 >= 11 && mod100 <= 13) return 'th';
  switch (n % 10) {
    case 1: return 'st';
    case 2: return 'nd';
    case 3: return 'rd';
    default: return 'th';
  }
}

export interface NumberGroup {
  value: number;
  /** Digits of the group as spoken: "oh" → "0", "double five" → "55", "forty five" → "45". */
  digits: string;
  kind: 'cardinal' | 'repeat' | 'ordinal';
}

export interface SpokenNumberSpan {
  /** Offsets in the original text. */
  start: number;
  end: number;
  /** Offsets of the replacement in the normalised text. */
  normStart: number;
  normEnd: number;
  groups: NumberGroup[];
  /** All groups' digits side by side. */
  digits: string;
  /** One group: its value; several: the digit string read as a number (NaN past 15 digits). */
  value: number;
  /** The last group is an ordinal ("twenty third"). */
  ordinal: boolean;
  /** What replaced the words in the normalised text. */
  replacement: string;
}

export interface ParsedSpokenNumbers {
  original: string;
  /** The text with spoken numbers written as digits. */
  text: string;
  spans: SpokenNumberSpan[];
  /** Map a [start, end) range of `text` to the original; ranges that touch a replacement widen to all of it. */
  toOriginal(start: number, end: number): [number, number];
}

export interface SpokenNumberOptions {
  /**
   * Read "for", "to", "too", "won", "ate" as digits when they sit between two single digits
   * ("four one for one" → "4141"). For redaction, where reading too much as a number is harmless.
   */
  homophones?: boolean;
}

interface Tok {
  w: string;
  start: number;
  end: number;
}

const WORD_RE = /[A-Za-z]+/g;
const GAP_RE = /^[ \t-]{1,4}$/;

function isUnitWord(w: string | undefined): boolean {
  return w !== undefined && Object.prototype.hasOwnProperty.call(UNITS, w);
}
function has(rec: Readonly<Record<string, number>>, w: string | undefined): w is string {
  return w !== undefined && Object.prototype.hasOwnProperty.call(rec, w);
}
function isCoreNumberWord(w: string): boolean {
  return has(UNITS, w) || has(TEENS, w) || has(TENS, w) || has(SCALES, w) || w === 'hundred' || has(ORDINALS, w);
}

interface Cur {
  total: number;
  current: number;
  last: 'unit' | 'teen' | 'tens' | 'hundred' | 'scale' | 'and';
  lastScale: number;
}

/** Parse the number words of one run into groups. */
function parseGroups(words: string[]): NumberGroup[] {
  const groups: NumberGroup[] = [];
  let cur: Cur | null = null;
  const close = () => {
    if (cur) {
      const v = cur.total + cur.current;
      groups.push({ value: v, digits: String(v), kind: 'cardinal' });
      cur = null;
    }
  };
  for (let k = 0; k < words.length; k++) {
    const w = words[k]!;
    const c = cur as Cur | null;
    if (w === 'double' || w === 'triple') {
      const next = words[k + 1];
      if (has(UNITS, next)) {
        close();
        const d = UNITS[next]!;
        const digits = String(d).repeat(w === 'double' ? 2 : 3);
        groups.push({ value: Number(digits), digits, kind: 'repeat' });
        k++;
      }
      continue;
    }
    if (w === 'and') {
      if (c && (c.last === 'hundred' || c.last === 'scale')) c.last = 'and';
      continue;
    }
    if (w === 'a') {
      close();
      cur = { total: 0, current: 1, last: 'unit', lastScale: Infinity };
      continue;
    }
    if (has(ORDINALS, w)) {
      const v = ORDINALS[w]!;
      if (c && v < 10 && c.last === 'tens') c.current += v;
      else if (c && v < 100 && (c.last === 'hundred' || c.last === 'scale' || c.last === 'and')) c.current += v;
      else {
        close();
        cur = { total: 0, current: v, last: 'unit', lastScale: Infinity };
      }
      const done = cur as Cur | null;
      const value = done ? done.total + done.current : v;
      cur = null;
      groups.push({ value, digits: String(value), kind: 'ordinal' });
      continue;
    }
    const homophone = has(HOMOPHONES, w) ? HOMOPHONES[w]! : undefined;
    if (has(UNITS, w) || homophone !== undefined) {
      const u = homophone ?? UNITS[w]!;
      if (c && u > 0 && (c.last === 'tens' || c.last === 'hundred' || c.last === 'scale' || c.last === 'and')) {
        c.current += u;
        c.last = 'unit';
      } else {
        close();
        cur = { total: 0, current: u, last: 'unit', lastScale: Infinity };
        if (u === 0) {
          // "oh" / "zero" is always a digit of its own: "nineteen oh five" → 1905.
          groups.push({ value: 0, digits: '0', kind: 'cardinal' });
          cur = null;
        }
      }
      continue;
    }
    if (has(TEENS, w) || has(TENS, w)) {
      const v = has(TEENS, w) ? TEENS[w]! : TENS[w]!;
      const kind = has(TEENS, w) ? 'teen' : 'tens';
      if (c && (c.last === 'hundred' || c.last === 'scale' || c.last === 'and') && c.current % 100 === 0) {
        c.current += v;
        c.last = kind;
      } else {
        close();
        cur = { total: 0, current: v, last: kind, lastScale: Infinity };
      }
      continue;
    }
    if (w === 'hundred') {
      if (c && c.current > 0 && c.current < 100 && (c.last === 'unit' || c.last === 'teen' || c.last === 'tens')) {
        c.current *= 100;
        c.last = 'hundred';
      } else {
        close();
        cur = { total: 0, current: 100, last: 'hundred', lastScale: Infinity };
      }
      continue;
    }
    if (has(SCALES, w)) {
      const s = SCALES[w]!;
      if (c && s < c.lastScale && c.last !== 'and' && c.current < 1000) {
        c.total += (c.current || 1) * s;
        c.current = 0;
        c.lastScale = s;
        c.last = 'scale';
      } else {
        close();
        cur = { total: s, current: 0, last: 'scale', lastScale: s };
      }
      continue;
    }
  }
  close();
  return groups;
}

function spanText(groups: NumberGroup[]): { replacement: string; digits: string; value: number; ordinal: boolean } {
  const last = groups[groups.length - 1]!;
  const ordinal = last.kind === 'ordinal';
  const digits = groups.map((g) => g.digits).join('');
  if (groups.length === 1) {
    return { replacement: ordinal ? `${last.value}${ordinalSuffix(last.value)}` : last.digits, digits, value: last.value, ordinal };
  }
  if (ordinal) {
    const before = groups.slice(0, -1).map((g) => g.digits).join('');
    return { replacement: `${before} ${last.value}${ordinalSuffix(last.value)}`, digits, value: last.value, ordinal };
  }
  return { replacement: digits, digits, value: digits.length <= 15 ? Number(digits) : NaN, ordinal };
}

/**
 * Find spoken numbers in `text` and write them as digits. Typed digits are left as they are.
 * Never throws: a non-string gives an empty result.
 */
export function parseSpokenNumbers(text: string, opts: SpokenNumberOptions = {}): ParsedSpokenNumbers {
  const original = typeof text === 'string' ? text : '';
  const toks: Tok[] = [];
  for (const m of original.matchAll(WORD_RE)) toks.push({ w: m[0].toLowerCase(), start: m.index, end: m.index + m[0].length });

  const joined = (a: Tok, b: Tok) => GAP_RE.test(original.slice(a.end, b.start));
  /** Can token k continue (or start, when `starting`) a run? */
  const numberish = (k: number, starting: boolean): boolean => {
    const t = toks[k]!;
    const w = t.w;
    const next = toks[k + 1];
    const nextJoined = next !== undefined && joined(t, next);
    // "two o'clock": the "o" is not a zero.
    if ((w === 'o' || w === 'oh') && next !== undefined && next.w === 'clock') return false;
    if (has(ORDINALS, w) && !starting) {
      // "twenty third", "one hundred and first"; not "one second".
      const prev = toks[k - 1];
      return prev !== undefined && (has(TENS, prev.w) || prev.w === 'hundred' || prev.w === 'and' || has(SCALES, prev.w));
    }
    if (isCoreNumberWord(w)) return true;
    if (w === 'double' || w === 'triple') return nextJoined && isUnitWord(next!.w);
    if (w === 'a') return starting && nextJoined && (next!.w === 'hundred' || has(SCALES, next!.w));
    if (w === 'and') {
      const prev = toks[k - 1];
      return !starting && prev !== undefined && (prev.w === 'hundred' || has(SCALES, prev.w)) && nextJoined && (has(UNITS, next!.w) || has(TEENS, next!.w) || has(TENS, next!.w)) && next!.w !== 'oh' && next!.w !== 'o';
    }
    if (opts.homophones && has(HOMOPHONES, w) && !starting) {
      const prev = toks[k - 1];
      // Only between single digits: "four one for one", not "forty five for two".
      const prev2 = toks[k - 2];
      const prevSingle = prev !== undefined && isUnitWord(prev.w) && !(prev2 !== undefined && has(TENS, prev2.w) && joined(prev2, prev));
      return prevSingle && nextJoined && isUnitWord(next!.w);
    }
    return false;
  };

  const spans: SpokenNumberSpan[] = [];
  let out = '';
  let copied = 0;
  let k = 0;
  while (k < toks.length) {
    if (!numberish(k, true)) {
      k++;
      continue;
    }
    let j = k;
    // An ordinal ends a run ("the twenty first" | "twenty nineteen").
    while (!has(ORDINALS, toks[j]!.w) && j + 1 < toks.length && joined(toks[j]!, toks[j + 1]!) && numberish(j + 1, false)) j++;
    // "two one way tickets": a trailing "one" that reads as a word ("one way", "one of") leaves the run.
    if (j > k && toks[j]!.w === 'one' && toks[j + 1] && joined(toks[j]!, toks[j + 1]!) && ONE_PRONOUN_AFTER.has(toks[j + 1]!.w)) j--;
    const words = toks.slice(k, j + 1).map((t) => t.w);
    // Drop a trailing "and" / "double" that found nothing to attach to.
    const first = toks[k]!;
    const prevTok = toks[k - 1];
    const nextTok = toks[j + 1];
    let keep = true;
    if (words.length === 1) {
      const w = words[0]!;
      if (w === 'oh' || w === 'o' || w === 'nil') keep = false;
      else if (w === 'one') {
        const before = prevTok && joined(prevTok, first) ? prevTok.w : undefined;
        const after = nextTok && joined(first, nextTok) ? nextTok.w : undefined;
        if ((before !== undefined && ONE_PRONOUN_BEFORE.has(before)) || (after !== undefined && ONE_PRONOUN_AFTER.has(after))) keep = false;
      } else if (w === 'second') {
        const before = prevTok?.w;
        const after = nextTok?.w;
        // "march second", "the second of may", "on second of march", "make it for the second".
        keep = (before !== undefined && MONTHS.has(before)) || ((before === 'the' || before === 'on') && (after === undefined || after === 'of' || MONTHS.has(after)));
      }
    }
    if (keep) {
      const groups = parseGroups(words);
      if (groups.length > 0) {
        const { replacement, digits, value, ordinal } = spanText(groups);
        const last = toks[j]!;
        out += original.slice(copied, first.start);
        const normStart = out.length;
        out += replacement;
        spans.push({ start: first.start, end: last.end, normStart, normEnd: out.length, groups, digits, value, ordinal, replacement });
        copied = last.end;
      }
    }
    k = j + 1;
  }
  out += original.slice(copied);

  const toOriginal = (start: number, end: number): [number, number] => [mapPos(spans, start, 'start'), mapPos(spans, end, 'end')];
  return { original, text: out, spans, toOriginal };
}

/** Position in the normalised text → position in the original. */
function mapPos(spans: SpokenNumberSpan[], p: number, side: 'start' | 'end'): number {
  // Binary search for the last span whose normStart <= p.
  let lo = 0;
  let hi = spans.length - 1;
  let idx = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (spans[mid]!.normStart <= p) {
      idx = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  if (idx < 0) return p;
  const s = spans[idx]!;
  if (side === 'start') {
    if (p < s.normEnd) return s.start;
    return s.end + (p - s.normEnd);
  }
  // end side: a range ending inside or at the start of a span… at p === normStart the range ends before it.
  if (p === s.normStart) {
    const prev = spans[idx - 1];
    return prev ? prev.end + (p - prev.normEnd) : p;
  }
  if (p <= s.normEnd) return s.end;
  return s.end + (p - s.normEnd);
}
