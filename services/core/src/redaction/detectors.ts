/**
 * The detectors behind `redact`. Each works on the text with spoken numbers written as digits (see
 * spoken.ts) and returns spans in that text; `redact` maps them back to the original.
 *
 * Digits are looked at as chunks (a run of digits: "4111", or one spoken run "four one one one")
 * and runs of chunks separated only by spaces, dashes, dots, commas, slashes, brackets and fillers
 * ("uh", "um"). A period or question mark followed by a space ends a run (a new sentence).
 */
import { luhnValid } from './luhn.ts';

export const PII_TYPES = ['CARD', 'CVV', 'EXPIRY', 'SSN', 'PHONE', 'EMAIL', 'ADDRESS', 'ZIP', 'DOB', 'PIN', 'PASSWORD', 'REDACTED'] as const;
export type PiiType = (typeof PII_TYPES)[number];

/** What the conversation is collecting right now: bare values are then read as that kind. */
export type PiiExpectation = 'card' | 'cvv' | 'expiry' | 'ssn' | 'phone' | 'email' | 'address' | 'zip' | 'dob' | 'pin';

export interface RawFinding {
  type: PiiType;
  start: number;
  end: number;
}

export interface DetectOptions {
  /** Also redact ZIP codes that are named as such ("zip code is 75227"); ZIPs inside an address always go with it. */
  zip: boolean;
  /** Card capture in progress: every digit run is card data. */
  pci: boolean;
  expecting: PiiExpectation | undefined;
  enabled: ReadonlySet<PiiType>;
}

interface Chunk {
  start: number;
  end: number;
  digits: string;
}
interface Run {
  chunks: Chunk[];
  start: number;
  end: number;
  digits: string;
}

const FILLER_RE = /\b(?:u+h+|u+m+|e+r+m?|a+h+|hm+)\b/gi;
const GAP_OK_RE = /^[\s\-.,/()]{1,8}$/;
const SENTENCE_BREAK_RE = /[.?!;]\s/;

export function digitRuns(text: string): Run[] {
  const runs: Run[] = [];
  let cur: Run | null = null;
  for (const m of text.matchAll(/\d+/g)) {
    const chunk: Chunk = { start: m.index, end: m.index + m[0].length, digits: m[0] };
    if (cur) {
      const gap = text.slice(cur.end, chunk.start);
      const stripped = gap.length <= 24 ? gap.replace(FILLER_RE, ' ') : gap;
      if (GAP_OK_RE.test(stripped) && !SENTENCE_BREAK_RE.test(gap)) {
        cur.chunks.push(chunk);
        cur.end = chunk.end;
        cur.digits += chunk.digits;
        continue;
      }
      runs.push(cur);
    }
    cur = { chunks: [chunk], start: chunk.start, end: chunk.end, digits: chunk.digits };
  }
  if (cur) runs.push(cur);
  return runs;
}

// --- cues -------------------------------------------------------------------------------------

const PHONE_CUE = /\b(?:phone|cell(?:phone)?|mobile|telephone|tel|landline|fax|call\s+(?:me\s+)?(?:back\s+)?(?:at|on)|text\s+(?:me|it)|reach\s+me|callback|call\s*back|(?:my|your|his|her|their|best|contact|home|work|daytime)\s+number|number\s+to\s+(?:reach|call)|dial)\b/gi;
const NOT_PHONE_CUE = /\b(?:order|account|acct|tracking|confirmation|reference|ref|case|ticket|invoice|member(?:ship)?|policy|routing|card|serial|model|id|zip|postal|pin|code|amount|total|balance|price)\b/gi;
const SSN_CUE = /\b(?:ssn|ss#|social(?:\s+security)?(?:\s+(?:number|no|#))?|tax\s+(?:id|identification)(?:\s+number)?|tin|itin)\b/gi;
const LAST_FOUR_CUE = /\b(?:last\s+(?:four|4)|ends?\s+(?:in|with)|ending\s+(?:in|with))\b/gi;
const CARD_CUE = /\b(?:card|visa|master\s*card|amex|american\s+express|discover|credit|debit|cc)\b/i;
const CVV_CUE = /\b(?:cvv2?|cvc2?|csc|cvn|cid|security\s+(?:code|number|digits)|verification\s+(?:code|number|value)|card\s+code|(?:3|4)[-\s]digit\s+(?:code|number)|(?:code|number|digits)\s+on\s+the\s+back)\b/gi;
const EXPIRY_CUE = /\b(?:exp(?:\.|iry|iration)?(?:\s+date)?|expires?|expiring|valid\s+(?:thru|through|until)|good\s+(?:thru|through))\b/gi;
const DOB_CUE = /\b(?:born|birth\s*date|date\s+of\s+birth|d\.?o\.?b\.?|birthday)\b/gi;
const PIN_CUE = /\b(?:pin(?:\s+(?:number|code|no))?|passcode|pass\s+code)\b/gi;
const ZIP_CUE = /\b(?:zip(?:\s*code)?|postal\s+code|post\s*code)\b/gi;
const PASSWORD_CUE = /\bpass(?:word|phrase)\b(?:\s+(?:is|was|would\s+be|should\s+be|will\s+be|to)\s*[:=]?\s*|\s*[:=]\s*)/gi;
const ADDRESS_CUE = /\b(?:address|live\s+(?:at|on)|living\s+at|located\s+at|ship(?:ped)?\s+(?:it\s+)?to|send\s+(?:it\s+)?to|deliver(?:ed)?\s+(?:it\s+)?to|street|house)\b/i;

const MONTH = '(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\\.?';
const DATE_RE = new RegExp(
  `\\b(?:\\d{1,2}\\s*[/.-]\\s*\\d{1,2}\\s*[/.-]\\s*\\d{2,4}|\\d{4}-\\d{1,2}-\\d{1,2}|(?:the\\s+)?\\d{1,2}(?:st|nd|rd|th)?\\s+(?:of\\s+)?${MONTH}(?:,?\\s+\\d{4})?|${MONTH}\\s+(?:the\\s+)?\\d{1,2}(?:st|nd|rd|th)?(?:,?\\s+\\d{4})?|${MONTH},?\\s+\\d{4})(?![\\w])`,
  'i',
);
const EXPIRY_VALUE_RE = new RegExp(`^(?:\\d{1,2}\\s*[/-]\\s*\\d{2}(?:\\d{2})?(?!\\d)|\\d{4}(?!\\d)|${MONTH}\\s+(?:of\\s+)?\\d{2,4}(?!\\d)|\\d{1,2}\\s+\\d{2}(?!\\d))`, 'i');
const PASSWORD_STOP = new Set([
  'not', 'isnt', "isn't", 'wrong', 'incorrect', 'reset', 'expired', 'the', 'my', 'a', 'an', 'too', 'still', 'working', 'invalid', 'and',
  'but', 'or', 'so', 'that', 'this', 'it', 'for', 'has', 'have', 'was', 'is', 'does', "doesn't", 'doesnt', 'will', 'wont', "won't",
  'can', 'cannot', "can't", 'cant', 'reset', 'change', 'changed', 'again', 'please', 'locked', 'because', 'since', 'keeps', 'never',
  'always', 'being', 'recovery', 'manager', 'field', 'box', 'page', 'link', 'email', 'rejected', 'accepted', 'same', 'new', 'old', 'to',
  'of', 'in', 'on', 'at', 'i', 'you', 'we', 'they', 'he', 'she', 'me', 'up', 'now', 'then', 'no', 'yes', 'ok', 'okay', 'right', 'there',
]);

/** Last match of a global cue regex in text[from, to), as [index, end] of the match. */
function lastCue(re: RegExp, text: string, from: number, to: number): [number, number] | null {
  const slice = text.slice(Math.max(0, from), to);
  let last: [number, number] | null = null;
  re.lastIndex = 0;
  for (const m of slice.matchAll(re)) last = [m.index + Math.max(0, from), m.index + Math.max(0, from) + m[0].length];
  return last;
}

/** A cue in the `window` characters before `pos`, with no sentence break between it and pos. */
function cueBefore(re: RegExp, text: string, pos: number, window = 40): [number, number] | null {
  const c = lastCue(re, text, pos - window, pos);
  if (!c) return null;
  if (SENTENCE_BREAK_RE.test(text.slice(c[1], pos))) return null;
  return c;
}

function phoneCueBefore(text: string, pos: number): boolean {
  const p = cueBefore(PHONE_CUE, text, pos, 48);
  if (!p) return false;
  const n = lastCue(NOT_PHONE_CUE, text, p[1], pos);
  return n === null;
}

// --- digit-run detectors -------------------------------------------------------------------------

function cardWindows(run: Run, out: RawFinding[]): boolean {
  const { chunks } = run;
  for (let i = 0; i < chunks.length; i++) {
    let total = 0;
    let digits = '';
    for (let j = i; j < chunks.length; j++) {
      total += chunks[j]!.digits.length;
      if (total > 19) break;
      digits += chunks[j]!.digits;
      if (total >= 13 && luhnValid(digits)) {
        out.push({ type: 'CARD', start: run.start, end: run.end });
        return true;
      }
    }
  }
  // A digit string longer than any card: look for a card inside it (card number + expiry read out in one breath).
  for (const c of chunks) {
    const d = c.digits;
    if (d.length <= 19) continue;
    for (let s = 0; s + 13 <= d.length; s++) {
      for (let len = 13; len <= 19 && s + len <= d.length; len++) {
        if (luhnValid(d.slice(s, s + len))) {
          out.push({ type: 'CARD', start: run.start, end: run.end });
          return true;
        }
      }
    }
  }
  return false;
}

function lengthsAt(chunks: Chunk[], i: number, lens: number[]): boolean {
  for (let k = 0; k < lens.length; k++) if (chunks[i + k]?.digits.length !== lens[k]) return false;
  return true;
}

function widenBrackets(text: string, start: number, end: number): [number, number] {
  let s = start;
  while (s > 0 && (text[s - 1] === '(' || text[s - 1] === '+')) s--;
  return [s, end];
}

function phoneAndSsn(text: string, run: Run, opts: DetectOptions, out: RawFinding[]): void {
  const { chunks } = run;
  const total = run.digits.length;
  const plus = /\+\s?$/.test(text.slice(Math.max(0, run.start - 2), run.start));
  // International "+44 20 7946 0958".
  if (plus && total >= 8 && total <= 15) {
    out.push({ type: 'PHONE', start: text.lastIndexOf('+', run.start), end: run.end });
    return;
  }
  for (let i = 0; i < chunks.length; i++) {
    // 3-2-4: social security number shape.
    if (lengthsAt(chunks, i, [3, 2, 4]) && (chunks.length === 3 || !lengthsAt(chunks, i, [3, 2, 4, 4]))) {
      out.push({ type: 'SSN', start: chunks[i]!.start, end: chunks[i + 2]!.end });
      i += 2;
      continue;
    }
    // (1) 3-3-4: North American phone number shape.
    if (lengthsAt(chunks, i, [3, 3, 4])) {
      let s = chunks[i]!.start;
      if (i > 0 && chunks[i - 1]!.digits === '1') s = chunks[i - 1]!.start;
      const [ws] = widenBrackets(text, s, 0);
      out.push({ type: 'PHONE', start: ws, end: chunks[i + 2]!.end });
      i += 2;
      continue;
    }
    // 3-4 local number, with a phone cue.
    if (lengthsAt(chunks, i, [3, 4]) && chunks.length <= 3 && (phoneCueBefore(text, run.start) || opts.expecting === 'phone')) {
      out.push({ type: 'PHONE', start: chunks[i]!.start, end: chunks[i + 1]!.end });
      i += 1;
      continue;
    }
  }
  const tenDigits = total === 10 || (total === 11 && run.digits.startsWith('1'));
  if (tenDigits && (opts.expecting === 'phone' || phoneCueBefore(text, run.start))) {
    const [ws, we] = widenBrackets(text, run.start, run.end);
    out.push({ type: 'PHONE', start: ws, end: we });
  }
  if (total === 7 && opts.expecting === 'phone') out.push({ type: 'PHONE', start: run.start, end: run.end });
  if (total === 9 && (opts.expecting === 'ssn' || cueBefore(SSN_CUE, text, run.start, 40))) {
    out.push({ type: 'SSN', start: run.start, end: run.end });
  }
  if (total === 4 && (opts.expecting === 'ssn' || (cueBefore(SSN_CUE, text, run.start, 48) && cueBefore(LAST_FOUR_CUE, text, run.start, 48)))) {
    out.push({ type: 'SSN', start: run.start, end: run.end });
  }
}

/** The first digit run starting within `window` characters after `pos` (no sentence break between). */
function runAfter(runs: Run[], text: string, pos: number, window: number): Run | null {
  for (const r of runs) {
    if (r.start < pos) continue;
    if (r.start - pos > window) return null;
    if (SENTENCE_BREAK_RE.test(text.slice(pos, r.start))) return null;
    return r;
  }
  return null;
}

function cueRuns(re: RegExp, text: string, runs: Run[], window: number, min: number, max: number, type: PiiType, out: RawFinding[]): void {
  re.lastIndex = 0;
  for (const m of text.matchAll(re)) {
    const r = runAfter(runs, text, m.index + m[0].length, window);
    if (r && r.digits.length >= min && r.digits.length <= max) out.push({ type, start: r.start, end: r.end });
  }
}

function expiry(text: string, cardContext: boolean, out: RawFinding[]): void {
  EXPIRY_CUE.lastIndex = 0;
  for (const m of text.matchAll(EXPIRY_CUE)) {
    let p = m.index + m[0].length;
    const rest = text.slice(p, p + 40);
    const lead = /^(?:\s*(?:date|is|on|in|of|the|it|it's|its|:|-|uh|um)\b)*\s*[:-]?\s*/i.exec(rest);
    p += lead ? lead[0].length : 0;
    const v = EXPIRY_VALUE_RE.exec(text.slice(p, p + 24));
    if (!v) continue;
    const numericShort = /^\d{1,2}\s*[/-]\s*\d{2}(?!\d)|^\d{4}$|^\d{1,2}\s+\d{2}$/.test(v[0]);
    if (numericShort || cardContext) out.push({ type: 'EXPIRY', start: p, end: p + v[0].length });
  }
}

function dob(text: string, out: RawFinding[]): void {
  DOB_CUE.lastIndex = 0;
  for (const m of text.matchAll(DOB_CUE)) {
    const from = m.index + m[0].length;
    const slice = text.slice(from, from + 64);
    const d = DATE_RE.exec(slice);
    if (!d || d.index > 28 || SENTENCE_BREAK_RE.test(slice.slice(0, d.index))) continue;
    out.push({ type: 'DOB', start: from + d.index, end: from + d.index + d[0].length });
  }
}

function password(text: string, out: RawFinding[]): void {
  PASSWORD_CUE.lastIndex = 0;
  for (const m of text.matchAll(PASSWORD_CUE)) {
    const from = m.index + m[0].length;
    const tok = /^[A-Za-z0-9][^\s,;]*/.exec(text.slice(from, from + 200));
    if (!tok) continue;
    const word = tok[0].replace(/[.!?]+$/, '');
    if (!word || PASSWORD_STOP.has(word.toLowerCase())) continue;
    // A password read out after "password is" / "password:".
    out.push({ type: 'PASSWORD', start: from, end: from + word.length });
  }
}

// --- address -----------------------------------------------------------------------------------

const STRONG_SUFFIX = 'street|st|avenue|ave|av|road|rd|boulevard|blvd|lane|ln|drive|dr|court|ct|place|pl|terrace|ter|circle|cir|parkway|pkwy|highway|hwy|plaza|plz|crescent|cres|trail|trl|alley|aly|expressway|expy|freeway|fwy|turnpike|tpke|square|sq';
const WEAK_SUFFIX = 'way|loop|row|path|pike|close|walk|run|mews|green|grove|heights|hts|point|ridge|crossing|center|ctr|lane';
const DIR = '(?:northeast|northwest|southeast|southwest|north|south|east|west|ne|nw|se|sw|n|s|e|w)\\.?';
const NAME_WORD = "(?:[a-z][a-z'.-]{0,24}|\\d{1,4}(?:st|nd|rd|th))";
const ADDRESS_RE = new RegExp(
  `(?<![\\w$£€.,:/-])(\\d{1,6}[a-z]?(?:-\\d{1,5})?)\\s+((?:${NAME_WORD}\\s+){0,3}?${NAME_WORD})\\s+(${STRONG_SUFFIX}|${WEAK_SUFFIX})\\b\\.?` +
    `(?:\\s+${DIR}(?![a-z]))?` +
    `(?:,?\\s*(?:apt|apartment|suite|ste|unit|#|floor|fl|room|rm)\\.?\\s*#?\\s*[a-z0-9-]{1,6}\\b)?` +
    `(?:,?\\s+[a-z][a-z .'-]{0,30}?,?\\s+(?:[a-z]{2}|[a-z]{3,14}(?:\\s[a-z]{3,10})?)\\.?,?\\s+\\d{5}(?:-\\d{4})?(?!\\d)|,?\\s+\\d{5}(?:-\\d{4})?(?!\\d))?`,
  'gi',
);
const STRONG_SET = new Set(STRONG_SUFFIX.split('|'));
const DIR_WORDS = new Set(['n', 's', 'e', 'w', 'ne', 'nw', 'se', 'sw', 'north', 'south', 'east', 'west', 'northeast', 'northwest', 'southeast', 'southwest']);
/** Words that never appear in a street name but often sit between a number and "drive"/"way"/"st". */
const NOT_STREET = new Set([
  'the', 'a', 'an', 'on', 'in', 'at', 'of', 'to', 'for', 'and', 'or', 'my', 'your', 'our', 'their', 'his', 'her', 'is', 'are', 'was',
  'were', 'it', 'its', "it's", 'that', 'this', 'these', 'those', 'with', 'by', 'from', 'i', 'you', 'we', 'they', 'he', 'she', 'me',
  'be', 'been', 'has', 'have', 'had', 'not', 'no', 'per', 'each', 'every', 'about', 'than', 'then', 'so', 'but', 'if', 'as', 'more',
  'less', 'extra', 'total', 'other', 'all', 'just', 'only', 'over', 'under', 'into', 'out', 'up', 'down', 'off', 'away', 'back',
  'dollars', 'dollar', 'bucks', 'cents', 'cent', 'usd', 'days', 'day', 'weeks', 'week', 'months', 'month', 'years', 'year', 'hours',
  'hour', 'hrs', 'hr', 'minutes', 'minute', 'mins', 'min', 'seconds', 'second', 'secs', 'times', 'time', 'items', 'item', 'orders',
  'order', 'people', 'persons', 'kids', 'children', 'adults', 'tickets', 'ticket', 'miles', 'mile', 'km', 'pm', 'am', 'percent',
  'pounds', 'euros', 'points', 'calls', 'pairs', 'pair', 'boxes', 'box', 'units', 'pieces', 'shirts', 'jeans', 'boots', 'jackets',
  'am', 'pm', 'hundred', 'thousand', 'million', 'star', 'stars', 'gb', 'mb', 'inch', 'inches', 'feet', 'foot', 'ft', 'meters', 'lbs',
  'oz', 'long', 'short', 'hard', 'test', 'nights', 'night', 'rooms', 'room', 'seats', 'seat', 'bags', 'bag', 'cars', 'car', 'way',
]);

function addresses(text: string, opts: DetectOptions, out: RawFinding[]): void {
  ADDRESS_RE.lastIndex = 0;
  let m: RegExpExecArray | null;
  let guard = 0;
  while ((m = ADDRESS_RE.exec(text)) !== null && guard++ < 100_000) {
    const nameWords = m[2]!.toLowerCase().split(/\s+/).filter((w) => !DIR_WORDS.has(w.replace(/\.$/, '')));
    const suffix = m[3]!.toLowerCase();
    // A word ending a sentence ("10 options. 1224 Main St") is not part of a street name; "W." and "St." are.
    const rejected = nameWords.length === 0 || nameWords.some((w) => NOT_STREET.has(w.replace(/\.$/, '')) || (w.endsWith('.') && w.length > 4));
    const weak = !STRONG_SET.has(suffix);
    const cued = opts.expecting === 'address' || ADDRESS_CUE.test(text.slice(Math.max(0, m.index - 40), m.index));
    if (rejected || (weak && !cued)) {
      ADDRESS_RE.lastIndex = m.index + 1;
      continue;
    }
    // "4445 Stevenson Boulevard." keeps its full stop; "St." and "Ave." keep theirs in the span.
    const end = m.index + m[0].length - (/[a-z]{4,}\.$/i.test(m[0]) ? 1 : 0);
    out.push({ type: 'ADDRESS', start: m.index, end });
  }
  for (const p of text.matchAll(/\b(?:p\.?\s?o\.?\s?box|post\s+office\s+box)\s*#?\s*\d{1,8}\b/gi)) {
    out.push({ type: 'ADDRESS', start: p.index, end: p.index + p[0].length });
  }
}

// --- email -------------------------------------------------------------------------------------

const TLDS = new Set([
  'com', 'net', 'org', 'edu', 'gov', 'mil', 'int', 'io', 'co', 'uk', 'us', 'ca', 'au', 'nz', 'ie', 'de', 'fr', 'es', 'it', 'nl', 'be',
  'ch', 'at', 'se', 'no', 'dk', 'fi', 'pl', 'pt', 'br', 'mx', 'ar', 'in', 'jp', 'cn', 'kr', 'sg', 'hk', 'za', 'ru', 'info', 'biz', 'me',
  'ai', 'app', 'dev', 'email', 'ly', 'tv', 'xyz', 'online', 'site', 'tech', 'store', 'shop', 'cloud', 'mail', 'live', 'pro', 'name',
]);
const EMAIL_DOT = new Set(['.', 'dot', 'period']);
const EMAIL_JOIN: Readonly<Record<string, string>> = {
  '.': '.', dot: '.', period: '.', point: '.', _: '_', underscore: '_', '-': '-', dash: '-', hyphen: '-', minus: '-', '+': '+', plus: '+',
};
/** A word before "at" that makes "X at Y dot com" not an email ("email me at", "I'm at home"). */
const LOCAL_STOP = new Set([
  'me', 'us', 'him', 'her', 'them', 'you', 'it', 'home', 'work', 'least', 'all', 'once', 'first', 'last', 'the', 'an', 'is', 'be',
  'that', 'this', 'there', 'here', 'look', 'looking', 'arrive', 'arrived', 'am', 'are', 'was', 'were', 'and', 'or', 'but', 'email', 'mail',
  'address', 'reach', 'contact', 'write', 'message', 'sent', 'send', 'its', "it's", 'my', 'your', 'registered', 'number', 'order',
]);

interface ETok {
  t: string;
  start: number;
  end: number;
}

export interface EmailSpan {
  start: number;
  end: number;
  address: string;
}

/** Emails, typed ("john.smith@gmail.com") or spoken ("john dot smith at gmail dot com"), in `text`. */
export function emailSpans(text: string): EmailSpan[] {
  const toks: ETok[] = [];
  for (const m of text.matchAll(/[A-Za-z0-9]+|[@._+-]/g)) toks.push({ t: m[0].toLowerCase(), start: m.index, end: m.index + m[0].length });
  const spans: EmailSpan[] = [];
  const isWord = (k: number) => k >= 0 && k < toks.length && /^[a-z0-9]+$/.test(toks[k]!.t);
  const tight = (a: ETok, b: ETok) => {
    const gap = text.slice(a.end, b.start);
    if (b.start - a.end > 6 || !/^[\s[\]()]*$/.test(gap)) return false;
    // A typed "." joins only when nothing is around it ("gmail.com"); "7 am. It" is a sentence end.
    if ((a.t === '.' || b.t === '.' || a.t === '@' || b.t === '@') && /\s/.test(gap)) return false;
    return true;
  };
  let lastEnd = -1;
  for (let a = 0; a < toks.length; a++) {
    const anchor = toks[a]!;
    if (anchor.t !== 'at' && anchor.t !== '@') continue;
    // Domain: label ((dot) label)+, last label a known top-level domain.
    let k = a + 1;
    const labels: string[] = [];
    let label = '';
    let end = -1;
    let domainEnd = -1;
    let steps = 0;
    while (k < toks.length && steps++ < 16) {
      if (!isWord(k) || !tight(toks[k - 1]!, toks[k]!)) break;
      // A label may be two words where ASR split it ("g mail", "hot mail").
      label += toks[k]!.t;
      end = k;
      const nk = k + 1;
      if (nk < toks.length && EMAIL_DOT.has(toks[nk]!.t) && tight(toks[k]!, toks[nk]!) && isWord(nk + 1)) {
        labels.push(label);
        label = '';
        k = nk + 1;
        continue;
      }
      if (nk < toks.length && (toks[nk]!.t === '-' || toks[nk]!.t === 'dash' || toks[nk]!.t === 'hyphen') && isWord(nk + 1)) {
        label += '-';
        k = nk + 1;
        continue;
      }
      if (labels.length === 0 && label.length <= 6 && isWord(nk) && nk + 1 < toks.length && EMAIL_DOT.has(toks[nk + 1]!.t)) {
        k = nk;
        continue;
      }
      break;
    }
    if (label) labels.push(label);
    if (labels.length < 2 || !TLDS.has(labels[labels.length - 1]!)) continue;
    domainEnd = toks[end]!.end;
    // Local part, backwards from the anchor.
    let s = a - 1;
    if (!isWord(s) || toks[s]!.start < lastEnd || (anchor.t === 'at' && LOCAL_STOP.has(toks[s]!.t))) continue;
    const parts: string[] = [toks[s]!.t];
    let count = 0;
    while (count++ < 24) {
      const prev = s - 1;
      const prev2 = s - 2;
      if (prev >= 0 && toks[prev]!.start >= lastEnd && Object.prototype.hasOwnProperty.call(EMAIL_JOIN, toks[prev]!.t) && isWord(prev2) && toks[prev2]!.start >= lastEnd && tight(toks[prev2]!, toks[prev]!) && tight(toks[prev]!, toks[s]!) && !LOCAL_STOP.has(toks[prev2]!.t)) {
        parts.unshift(toks[prev2]!.t, EMAIL_JOIN[toks[prev]!.t]!);
        s = prev2;
        continue;
      }
      // A name followed by digits: "cminh 730".
      if (isWord(prev) && toks[prev]!.start >= lastEnd && tight(toks[prev]!, toks[s]!) && /^\d+$/.test(toks[s]!.t) && /^[a-z]/.test(toks[prev]!.t) && !LOCAL_STOP.has(toks[prev]!.t) && s === a - 1) {
        parts.unshift(toks[prev]!.t);
        s = prev;
        continue;
      }
      // Spelled out: "j o h n", "c minh 7 3 0".
      const pronoun = toks[prev]?.t === 'a' || toks[prev]?.t === 'i';
      const spelledBefore = prev - 1 >= 0 && toks[prev - 1]!.t.length === 1 && /^[a-z0-9]$/.test(toks[prev - 1]!.t) && tight(toks[prev - 1]!, toks[prev]!);
      if (isWord(prev) && toks[prev]!.start >= lastEnd && tight(toks[prev]!, toks[s]!) && toks[prev]!.t.length === 1 && (!pronoun || spelledBefore)) {
        parts.unshift(toks[prev]!.t);
        s = prev;
        continue;
      }
      break;
    }
    // "my email is john smith at ...": take the words between the cue and "at".
    const before = text.slice(Math.max(0, toks[s]!.start - 40), toks[s]!.start);
    const cue = /(?:e-?mail(?:\s+address)?|address)\s*(?:is|it's|its|was|would\s+be|:)?\s*$/i.exec(before);
    if (cue === null) {
      const wordsBack = /((?:e-?mail(?:\s+address)?|address)\s*(?:is|it's|its|was|:)?\s+)((?:[a-z0-9]+\s+){1,3})$/i.exec(before);
      if (wordsBack && wordsBack[2]) {
        const extra = wordsBack[2].trim().split(/\s+/).filter((w) => !LOCAL_STOP.has(w.toLowerCase()));
        if (extra.length === wordsBack[2].trim().split(/\s+/).length) {
          const startExtra = toks[s]!.start - wordsBack[2].length;
          while (s > 0 && toks[s - 1]!.start >= startExtra) {
            s--;
            parts.unshift(toks[s]!.t);
          }
        }
      }
    }
    const local = parts.map((p) => (p === '.' || p === '_' || p === '-' || p === '+' ? p : p)).join('');
    spans.push({ start: toks[s]!.start, end: domainEnd, address: `${local}@${labels.join('.')}` });
    lastEnd = domainEnd;
  }
  return spans;
}

// --- all ---------------------------------------------------------------------------------------

export function detect(text: string, opts: DetectOptions): RawFinding[] {
  const out: RawFinding[] = [];
  const on = (t: PiiType) => opts.enabled.has(t);
  if (on('PASSWORD') && /pass/i.test(text)) password(text, out);
  if (on('EMAIL') && /@|\bat\b/i.test(text)) for (const e of emailSpans(text)) out.push({ type: 'EMAIL', start: e.start, end: e.end });
  // Everything else starts from a digit (spoken numbers are digits by now).
  if (!/\d/.test(text)) return out.filter((f) => opts.enabled.has(f.type) && f.end > f.start);
  const runs = digitRuns(text);
  const cardRuns = new Set<Run>();
  const cardish = opts.pci || opts.expecting === 'card';
  for (const r of runs) {
    if (on('CARD') && cardWindows(r, out)) {
      cardRuns.add(r);
      continue;
    }
    if (cardish) {
      // Card capture: nothing that is digits is kept, whatever it is.
      const n = r.digits.length;
      const t: PiiType = n >= 3 && n <= 4 ? 'CVV' : 'CARD';
      out.push({ type: t, start: r.start, end: r.end });
      continue;
    }
    if (on('PHONE') || on('SSN')) phoneAndSsn(text, r, opts, out);
    if (opts.expecting === 'cvv' && r.digits.length >= 3 && r.digits.length <= 4) out.push({ type: 'CVV', start: r.start, end: r.end });
    if (opts.expecting === 'pin' && r.digits.length >= 4 && r.digits.length <= 8) out.push({ type: 'PIN', start: r.start, end: r.end });
    if (opts.expecting === 'zip' && (r.digits.length === 5 || r.digits.length === 9)) out.push({ type: 'ZIP', start: r.start, end: r.end });
  }
  const cardContext = cardish || cardRuns.size > 0 || CARD_CUE.test(text) || opts.expecting === 'expiry';
  if (on('CVV')) cueRuns(CVV_CUE, text, runs, 28, 3, 4, 'CVV', out);
  if (on('EXPIRY')) expiry(text, cardContext, out);
  if (on('PIN')) cueRuns(PIN_CUE, text, runs, 24, 4, 8, 'PIN', out);
  if (on('SSN')) cueRuns(SSN_CUE, text, runs, 28, 9, 9, 'SSN', out);
  if (on('ZIP') && opts.zip) cueRuns(ZIP_CUE, text, runs, 20, 5, 9, 'ZIP', out);
  if (on('DOB')) {
    dob(text, out);
    if (opts.expecting === 'dob') {
      const d = new RegExp(DATE_RE.source, 'gi');
      for (const m of text.matchAll(d)) out.push({ type: 'DOB', start: m.index, end: m.index + m[0].length });
    }
  }
  if (on('ADDRESS')) addresses(text, opts, out);
  return out.filter((f) => opts.enabled.has(f.type) && f.end > f.start);
}
