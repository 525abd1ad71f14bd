import { stemmer } from 'stemmer';

/**
 * Text primitives shared by retrieval, answer composition and the grounding checker: a tokenizer
 * that keeps character offsets, light normalisation (case, diacritics, apostrophes), Porter
 * stemming, English stopwords, numbers (digits, money, percentages, number words, ordinals) and
 * sentence splitting for plain text and Markdown. Everything here is pure and deterministic, and
 * never throws on odd input (empty, huge, non-Latin scripts).
 */

export type TokenKind = 'word' | 'number';

export interface Token {
  /** The token as written. */
  text: string;
  /** Offsets into the string that was tokenized. */
  start: number;
  end: number;
  /** Lower-case, diacritics folded, possessive stripped. */
  norm: string;
  /** Porter stem of `norm` for Latin words; `norm` otherwise; `#<value>` for numbers. */
  stem: string;
  kind: TokenKind;
  /** Numeric value of a number token (digits, money, percentage, number word, ordinal). */
  value?: number;
  /** Written with a leading capital letter. */
  capitalized: boolean;
  stop: boolean;
}

/** The most text any function of this package looks at; longer input is cut (never rejected). */
export const MAX_TEXT_CHARS = 200_000;

export function asText(value: unknown, max = MAX_TEXT_CHARS): string {
  if (typeof value !== 'string') return value === null || value === undefined ? '' : typeof value === 'number' ? String(value) : '';
  return value.length > max ? value.slice(0, max) : value;
}

export const STOPWORDS: ReadonlySet<string> = new Set(
  (
    'a about above after again against all also am an and any are aren\'t as at be because been before being below between both but by ' +
    'can could did didn\'t do does doesn\'t doing don\'t down during each either else etc ever every few for from further get gets got had has have having he her here ' +
    'hers herself him himself his how however i if in into is isn\'t it it\'s its itself just let let\'s like may me might more most must my myself ' +
    'of off on once only or other ought our ours ourselves out over own per please same shall she should so some such than that that\'s the their theirs ' +
    'them themselves then there there\'s these they this those through thus to too under until up upon us very via was wasn\'t we were what when where ' +
    'whether which while who whom whose why will with would yes yet you your yours yourself yourselves i\'m i\'ve i\'ll i\'d you\'re you\'ll you\'ve ' +
    'we\'re we\'ll we\'ve they\'re it\'ll he\'s she\'s what\'s here\'s one\'s s t d ll ve re m'
  ).split(/\s+/),
);

/** Negation cues (normalised forms). `n't` contractions are detected separately. */
export const NEGATIONS: ReadonlySet<string> = new Set([
  'not', 'no', 'never', 'none', 'nobody', 'nothing', 'neither', 'nor', 'cannot', 'cant', 'without', 'unable', 'nowhere', 'noone',
]);

export function isNegation(norm: string): boolean {
  return NEGATIONS.has(norm) || norm.endsWith("n't");
}

const UNITS: Record<string, number> = {
  zero: 0, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10, eleven: 11, twelve: 12,
  thirteen: 13, fourteen: 14, fifteen: 15, sixteen: 16, seventeen: 17, eighteen: 18, nineteen: 19, twenty: 20, thirty: 30,
  forty: 40, fifty: 50, sixty: 60, seventy: 70, eighty: 80, ninety: 90, hundred: 100, thousand: 1000, million: 1e6, billion: 1e9,
  dozen: 12, twice: 2, thrice: 3,
};
// "first" is left out on purpose: it is far more often a plain word ("first class") than the number 1.
const ORDINALS: Record<string, number> = {
  second: 2, third: 3, fourth: 4, fifth: 5, sixth: 6, seventh: 7, eighth: 8, ninth: 9, tenth: 10, eleventh: 11, twelfth: 12,
  thirteenth: 13, fourteenth: 14, fifteenth: 15, sixteenth: 16, seventeenth: 17, eighteenth: 18, nineteenth: 19, twentieth: 20,
  thirtieth: 30, fortieth: 40, fiftieth: 50, hundredth: 100,
};

/** Value of a number word or ordinal ("six", "ninth"), else undefined. */
export function numberWordValue(norm: string): number | undefined {
  return UNITS[norm] ?? ORDINALS[norm];
}

/** Fold case and diacritics, normalise apostrophes, strip a trailing possessive. */
export function normalizeWord(word: string): string {
  let w = word.toLowerCase().replace(/[’‘`´]/g, "'");
  // NFKD + drop combining marks: "kaurismäki" → "kaurismaki". Only for Latin-ish strings.
  if (/[^\x00-\x7f]/.test(w)) w = w.normalize('NFKD').replace(/\p{M}+/gu, '');
  if (w.endsWith("'s") && w.length > 2) w = w.slice(0, -2);
  else if (w.endsWith("'") && w.length > 1) w = w.slice(0, -1);
  return w;
}

/**
 * Irregular English verb forms → base form, so "bought" meets "buy" and "won" meets "win" (Porter
 * only strips regular suffixes). Ambiguous forms ("found", "left", "saw", "lay", "rose") are left out.
 */
const IRREGULAR: Record<string, string> = {};
for (const group of (
  'be was were been|have had|go went gone|buy bought|bring brought|come came|die died|give gave given|know knew known|make made|' +
  'pay paid|say said|see seen|sell sold|send sent|take took taken|tell told|think thought|win won|write wrote written|' +
  'begin began begun|lose lost|hold held|get got gotten|run ran|build built|grow grew grown|become became|feel felt|keep kept|' +
  'meet met|speak spoke spoken|teach taught|fight fought|wear wore worn|choose chose chosen|drive drove driven|fall fell fallen|' +
  'fly flew flown|forget forgot forgotten|lead led|sing sang sung|stand stood|steal stole stolen|swim swam swum|throw threw thrown|' +
  'understand understood|eat ate eaten|draw drew drawn|drink drank drunk|break broke broken|catch caught|seek sought|shoot shot|' +
  'sit sat|sleep slept|spend spent|strike struck|hide hid hidden|ride rode ridden|shake shook shaken|freeze froze frozen|' +
  'mean meant|bear bore born borne|do did done|find|leave|forbid forbade forbidden|arise arose arisen|withdraw withdrew withdrawn|' +
  'awake awoke|bend bent|bind bound|bleed bled|breed bred|deal dealt|dig dug|feed fed|flee fled|grind ground|hang hung|' +
  'lend lent|light lit|shine shone|sink sank sunk|slide slid|spin spun|stick stuck|sting stung|swear swore sworn|sweep swept|' +
  'swing swung|tear tore torn|weep wept|wind wound|wake woke woken|rebuild rebuilt|undergo underwent undergone|overcome overcame|' +
  'mislead misled|foresee foresaw foreseen|withhold withheld|uphold upheld|outgrow outgrew outgrown|rewrite rewrote rewritten'
).split('|')) {
  const [base, ...forms] = group.split(' ');
  for (const f of forms) IRREGULAR[f] = base!;
}

const stemCache = new Map<string, string>();
/** Porter stem for ASCII words (irregular verb forms first mapped to their base), with a cache; other scripts are returned as they are. */
export function stem(norm: string): string {
  if (!/^[a-z]+$/.test(norm)) return norm;
  let s = stemCache.get(norm);
  if (s === undefined) {
    const base = IRREGULAR[norm] ?? norm;
    s = base.length <= 3 ? base : stemmer(base);
    if (stemCache.size > 50_000) stemCache.clear();
    stemCache.set(norm, s);
  }
  return s;
}

// Numbers: optional currency, digits with , or . groups, optional %, ordinal or plural suffix.
// Words: letters/marks/digits with inner apostrophes. Hyphens and other punctuation separate tokens.
const TOKEN_RE = /[$£€]?\p{N}+(?:[.,]\p{N}+)*(?:%|st\b|nd\b|rd\b|th\b|s\b)?|[\p{L}\p{M}\p{N}]+(?:['’][\p{L}\p{M}]+)*/gu;

function parseNumber(raw: string): number | undefined {
  let s = raw.replace(/^[$£€]/, '').replace(/(%|st|nd|rd|th|s)$/, '');
  // "1,000" / "1,000,000" are thousands; "3,5" is not a thing in English text, treat comma as grouping.
  s = s.replace(/,(?=\d{3}(\D|$))/g, '').replace(/,/g, '.');
  if (!/^\d+(\.\d+)?$/.test(s)) return undefined;
  const v = Number(s);
  return Number.isFinite(v) ? v : undefined;
}

export function numberKey(value: number): string {
  return `#${Math.round(value * 1000) / 1000}`;
}

export function tokenize(input: string): Token[] {
  const text = asText(input);
  const out: Token[] = [];
  for (const m of text.matchAll(TOKEN_RE)) {
    const raw = m[0];
    const start = m.index ?? 0;
    const first = raw.charAt(0);
    const isDigitLead = /[$£€\p{N}]/u.test(first);
    if (isDigitLead) {
      const value = parseNumber(raw);
      if (value !== undefined) {
        out.push({ text: raw, start, end: start + raw.length, norm: raw.toLowerCase(), stem: numberKey(value), kind: 'number', value, capitalized: false, stop: false });
        continue;
      }
    }
    const norm = normalizeWord(raw);
    if (norm === '') continue;
    const wordValue = numberWordValue(norm);
    const capitalized = first !== first.toLowerCase() && first === first.toUpperCase();
    if (wordValue !== undefined) {
      out.push({ text: raw, start, end: start + raw.length, norm, stem: numberKey(wordValue), kind: 'number', value: wordValue, capitalized, stop: false });
      continue;
    }
    out.push({ text: raw, start, end: start + raw.length, norm, stem: stem(norm), kind: 'word', capitalized, stop: STOPWORDS.has(norm) });
  }
  mergeCompoundNumbers(out);
  return out;
}

/** "twenty five" → 25 and "two hundred" → 200 (adjacent number words become one number token). */
function mergeCompoundNumbers(tokens: Token[]): void {
  for (let i = tokens.length - 2; i >= 0; i--) {
    const a = tokens[i]!;
    const b = tokens[i + 1]!;
    if (a.kind !== 'number' || b.kind !== 'number' || /\d/.test(a.text) || /\d/.test(b.text)) continue;
    const av = a.value!;
    const bv = b.value!;
    let v: number | undefined;
    if (av >= 20 && av < 100 && av % 10 === 0 && bv < 10) v = av + bv;
    else if ((bv === 100 || bv === 1000 || bv === 1e6) && av < 100) v = av * bv;
    if (v === undefined) continue;
    tokens.splice(i, 2, { ...a, text: `${a.text} ${b.text}`, end: b.end, norm: `${a.norm} ${b.norm}`, stem: numberKey(v), value: v });
  }
}

/**
 * Words that carry no topic in a customer's question ("how much", "I want", "can you tell me"):
 * left out of retrieval queries and answer selection, kept by the grounding checker.
 */
export const QUERY_FILLER: ReadonlySet<string> = new Set(
  'much many want wanted wants need needs like know tell please help really thing things something anything way hi hello thanks thank hey okay ok sure wondering wonder question'.split(' '),
);

/** Content tokens of a question: content tokens without QUERY_FILLER words. */
export function queryTokens(text: string): Token[] {
  return contentTokens(tokenize(text)).filter((t) => !QUERY_FILLER.has(t.norm));
}

/** Content tokens: not stopwords, and not one-letter words. */
export function contentTokens(tokens: readonly Token[]): Token[] {
  return tokens.filter((t) => t.kind === 'number' || (!t.stop && t.norm.length > 1 && !isNegation(t.norm)));
}

/** Stems of the content tokens of `text` (query terms for retrieval). */
export function terms(text: string): string[] {
  return contentTokens(tokenize(text)).map((t) => t.stem);
}

export interface Span {
  start: number;
  end: number;
  text: string;
}

const ABBREVIATIONS = new Set(['mr', 'mrs', 'ms', 'dr', 'st', 'jr', 'sr', 'prof', 'inc', 'ltd', 'co', 'corp', 'vs', 'etc', 'e.g', 'i.e', 'no', 'approx', 'dept', 'est', 'mt', 'ft', 'gen', 'col', 'sgt', 'lt', 'capt', 'gov', 'rev', 'fig', 'jan', 'feb', 'mar', 'apr', 'jun', 'jul', 'aug', 'sep', 'sept', 'oct', 'nov', 'dec']);

/**
 * Sentences of plain text, as offsets into `text`: ends at . ! ? (followed by space or end, or by
 * an upper-case letter glued to a lower-case word, as in scraped text "century.First"), at ; and at
 * line breaks. Abbreviations and initials ("Dr.", "J. Smith", "U.S.") do not end a sentence.
 */
export function splitSentences(input: string, offset = 0): Span[] {
  const text = asText(input);
  const spans: Span[] = [];
  let start = 0;
  const push = (end: number) => {
    const raw = text.slice(start, end);
    const lead = raw.length - raw.trimStart().length;
    const trimmed = raw.trim();
    if (trimmed !== '') spans.push({ start: offset + start + lead, end: offset + start + lead + trimmed.length, text: trimmed });
    start = end;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\n') {
      push(i + 1);
      continue;
    }
    if (c === ';') {
      push(i + 1);
      continue;
    }
    if (c !== '.' && c !== '!' && c !== '?') continue;
    // Swallow closing quotes/brackets and repeated punctuation.
    let j = i + 1;
    while (j < text.length && /[.!?"'”’)\]]/.test(text[j]!)) j++;
    const next = text[j];
    if (c === '.') {
      const before = /([\p{L}.]+)$/u.exec(text.slice(Math.max(0, i - 12), i))?.[1] ?? '';
      const word = before.toLowerCase();
      if (/\d$/.test(text.slice(0, i)) && next !== undefined && /\d/.test(next)) continue; // 3.5
      if (ABBREVIATIONS.has(word) || /^\p{L}$/u.test(before) || /^(\p{L}\.)+\p{L}?$/u.test(before)) {
        if (next === undefined || next === ' ') continue;
      }
      if (next !== undefined && /\p{Lu}/u.test(next)) {
        // Glued sentence "century.First": split only after a lower-case word of 2+ letters.
        if (/\p{Ll}{2,}$/u.test(text.slice(Math.max(0, i - 3), i))) {
          push(j);
          i = j - 1;
        }
        continue;
      }
    }
    if (next === undefined || /\s/.test(next)) {
      push(j);
      i = j - 1;
    }
  }
  push(text.length);
  return spans;
}

/**
 * Remove Markdown inline markup for speech or display: emphasis, inline code, links (keep the
 * text), list markers and heading hashes.
 */
export function stripMarkdown(text: string): string {
  return asText(text)
    .replace(/^\s{0,12}(?:[-*+]|\d+[.)])\s+/gm, '')
    .replace(/^\s*#{1,6}\s+/gm, '')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/(\*\*|__)(.+?)\1/g, '$2')
    .replace(/(^|[^*\w])\*(?!\s)([^*]+?)\*(?!\w)/g, '$1$2')
    .replace(/`([^`]*)`/g, '$1')
    .replace(/[ \t]+/g, ' ')
    .trim();
}
