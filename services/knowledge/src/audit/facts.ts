import { isCaption, lineContext, markdownLines } from '../markdown.ts';
import { asText, contentTokens, splitSentences, stem, stripMarkdown, tokenize, type Token } from '../text.ts';

/**
 * Comparable facts of a KB article: numbers with a unit (durations, money, percentages, counts of a
 * thing), each tied to the sentence that states it (its subject) and to the qualifiers that say which
 * case it is about (membership tier, service level), read from the sentence and from its parent list
 * items and heading ("Silver members:" above "return possible within the last 6 months").
 *
 * Pure and deterministic. Offsets are into the article body: `body.slice(start, end)` is the number
 * phrase as written, `body.slice(claim.start, claim.end)` the sentence.
 */

export type FactDimension = 'duration' | 'money' | 'percent' | 'count';
export type FactComparator = 'exact' | 'at_most' | 'at_least' | 'less_than' | 'more_than';

/** What the audit needs of an article (the store's shape and KbDocument both fit). */
export interface AuditArticle {
  id: string;
  slug?: string;
  title: string;
  topic?: string;
  /** Markdown. */
  body: string;
  version?: number;
  /** Store shape: read as `version` when `version` is absent. */
  currentVersion?: number;
  status?: string;
  ownerName?: string | null;
  ownerId?: string | null;
  /** Date or ISO string; null/undefined = never reviewed. */
  lastReviewedAt?: Date | string | null;
}

export interface FactQualifiers {
  /** Membership tiers the fact is about (stems: gold, silver, bronz, guest, platinum); [] = any. */
  tier: string[];
  /** Service levels (standard, overnight, express, international, domestic); [] = any. */
  service: string[];
}

export interface Fact {
  articleId: string;
  slug: string;
  title: string;
  topic: string;
  version: number;
  dimension: FactDimension;
  /** Canonical unit: 'day' for durations, 'USD' (or 'USD/year', ...) for money, '%' , or the counted noun's stem. */
  unit: string;
  /** Value in the canonical unit (durations in days: a month is 30, a year 365). */
  value: number;
  /** The number phrase as a person reads it: "90 days", "$10.00", "6 months", "3 of 7 items". */
  display: string;
  comparator: FactComparator;
  /** Offsets of the number phrase in the body. */
  start: number;
  end: number;
  /** The sentence that states the fact: offsets in the body and its plain text. */
  claim: { start: number; end: number; text: string };
  qualifiers: FactQualifiers;
  /** Content stems of the sentence (numbers, units and qualifiers left out). */
  local: string[];
  /** Content stems of the parent list items and the section heading. */
  context: string[];
  /** Content stems of the article title. */
  titleTerms: string[];
  /** Plain text of the parent items and heading, nearest first (for display). */
  contextText: string[];
}

const DURATION_UNITS: Record<string, number> = {
  minute: 1 / 1440, minutes: 1 / 1440, min: 1 / 1440, mins: 1 / 1440,
  hour: 1 / 24, hours: 1 / 24, hr: 1 / 24, hrs: 1 / 24,
  day: 1, days: 1,
  week: 7, weeks: 7,
  fortnight: 14, fortnights: 14,
  month: 30, months: 30,
  year: 365, years: 365,
};
const DURATION_FILLERS = new Set(['business', 'working', 'calendar', 'full', 'whole', 'consecutive']);
const CURRENCY_SYMBOL: Record<string, string> = { $: 'USD', '£': 'GBP', '€': 'EUR' };
const CURRENCY_WORDS: Record<string, { unit: string; scale: number }> = {
  dollar: { unit: 'USD', scale: 1 }, dollars: { unit: 'USD', scale: 1 }, usd: { unit: 'USD', scale: 1 }, bucks: { unit: 'USD', scale: 1 }, buck: { unit: 'USD', scale: 1 },
  cent: { unit: 'USD', scale: 0.01 }, cents: { unit: 'USD', scale: 0.01 },
  euro: { unit: 'EUR', scale: 1 }, euros: { unit: 'EUR', scale: 1 }, eur: { unit: 'EUR', scale: 1 },
  pound: { unit: 'GBP', scale: 1 }, pounds: { unit: 'GBP', scale: 1 }, gbp: { unit: 'GBP', scale: 1 },
};
const RATE_PERIODS: Record<string, string> = { day: 'day', week: 'week', month: 'month', year: 'year', annum: 'year', daily: 'day', weekly: 'week', monthly: 'month', yearly: 'year', annually: 'year' };

/** Words that name the case a number applies to. Compared by stem. */
const TIER_WORDS = ['gold', 'silver', 'bronze', 'guest', 'platinum'].map((w) => stem(w));
const SERVICE_WORDS = ['standard', 'overnight', 'express', 'international', 'domestic'].map((w) => stem(w));
const TIERS = new Set(TIER_WORDS);
const SERVICES = new Set(SERVICE_WORDS);
/** "every membership level", "all members": no tier restriction. */
const ALL_TIERS_RE = /\b(every|all|any)\s+(membership\s+)?(levels?|tiers?|members?|membership\s+levels?)\b/i;

/** Stems that never describe a subject: units, currency, comparators. */
const NOT_SUBJECT = new Set(
  [...Object.keys(DURATION_UNITS), ...Object.keys(CURRENCY_WORDS), 'percent', 'percentage', 'pct', 'within', 'least', 'most', 'less', 'more', 'than', 'up', 'maximum', 'minimum', 'last']
    .map((w) => stem(w)),
);

/** Digits or a number word: lines without one state no quantity (a quick pre-filter before tokenizing). */
const MAY_HAVE_NUMBER_RE =
  /\d|\b(zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|thousand|million|billion|dozen)\b/i;

/** Ordinals ("second", "3rd") rank, they do not count. */
const ORDINAL_RE = /^(\d+(st|nd|rd|th)|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth|thirteenth|fourteenth|fifteenth|sixteenth|seventeenth|eighteenth|nineteenth|twentieth|thirtieth|fortieth|fiftieth|hundredth)$/i;

/** A sentence that illustrates rather than states ("for example", "i.e. if their old amount is $100..."). */
const EXAMPLE_RE = /\b(for example|for instance|e\.\s?g\.|i\.\s?e\b|ie\.|such as|example)/i;

/** Comparator cues read just before the number (lower case, joined by single spaces). */
const BEFORE_CUES: ReadonlyArray<[RegExp, FactComparator]> = [
  [/\b(within( the (last|first|next))?|up to|at most|no more than|not more than|maximum( of)?|max|no later than|no longer than)$/, 'at_most'],
  [/\b(at least|minimum( of)?|no less than|not less than|no fewer than)$/, 'at_least'],
  [/\b(less than|fewer than|under|below|shorter than)$/, 'less_than'],
  [/\b(more than|over|above|longer than|greater than|after|beyond|exceeding)$/, 'more_than'],
];
const AFTER_CUES: ReadonlyArray<[RegExp, FactComparator]> = [
  [/^(or less|or fewer|or under|at most|max)\b/, 'at_most'],
  [/^(or more|or longer|or over|at least|plus)\b/, 'at_least'],
];

export interface ExtractOptions {
  /** Skip sentences that illustrate ("for example", "i.e.", "such as"): default true. */
  skipExamples?: boolean;
}

/** Every comparable fact stated in the article, in body order. Never throws. */
export function extractFacts(article: AuditArticle, options: ExtractOptions = {}): Fact[] {
  const body = asText(article.body);
  const skipExamples = options.skipExamples ?? true;
  const lines = markdownLines(body);
  const titleTerms = subjectStems(article.title ?? '');
  const base = {
    articleId: article.id,
    slug: article.slug ?? '',
    title: article.title ?? '',
    topic: article.topic ?? '',
    version: article.version ?? article.currentVersion ?? 0,
  };
  const out: Fact[] = [];
  lines.forEach((line, li) => {
    if (line.kind === 'heading') return;
    const raw = body.slice(line.textStart, line.end);
    if (!MAY_HAVE_NUMBER_RE.test(raw)) return;
    if (isCaption(body.slice(line.start, line.end))) return;
    // An illustration ("ie. if their old amount is $100 ...") may be split from its cue by the sentence splitter: read the cue on the whole line.
    if (skipExamples && EXAMPLE_RE.test(line.plain)) return;
    let contextText: string[] | undefined;
    let context: string[] | undefined;
    for (const sentence of splitSentences(raw, line.textStart)) {
      if (!MAY_HAVE_NUMBER_RE.test(sentence.text)) continue;
      const plain = stripMarkdown(sentence.text);
      const tokens = tokenize(sentence.text).map((t) => ({ ...t, start: t.start + sentence.start, end: t.end + sentence.start }));
      const found = findQuantities(tokens, body, sentence.start, sentence.end);
      if (found.length === 0) continue;
      // Arithmetic illustrations ("charged $50, the bill was $60, refund $10") state no policy.
      const perDimension = new Map<string, number>();
      for (const q of found) perDimension.set(q.dimension, (perDimension.get(q.dimension) ?? 0) + 1);
      contextText ??= lineContext(lines, li);
      context ??= [...new Set(contextText.flatMap((t) => subjectStems(t)))];
      const local = stemsOf(tokens);
      const qualifiers = qualifiersFrom(tokens, plain, contextText);
      for (const q of found) {
        if ((perDimension.get(q.dimension) ?? 0) >= 3) continue;
        out.push({
          ...base,
          ...q,
          claim: { start: sentence.start, end: sentence.end, text: plain },
          qualifiers,
          local,
          context,
          titleTerms,
          contextText,
        });
      }
    }
  });
  return out;
}

type Quantity = Pick<Fact, 'dimension' | 'unit' | 'value' | 'display' | 'comparator' | 'start' | 'end'>;

function findQuantities(tokens: readonly Token[], body: string, from: number, to: number): Quantity[] {
  const out: Quantity[] = [];
  const consumed = new Set<number>();
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind !== 'number' || consumed.has(i) || t.value === undefined || ORDINAL_RE.test(t.text)) continue;
    const next = tokens[i + 1];
    const nextNorm = next?.norm ?? '';
    const symbol = CURRENCY_SYMBOL[t.text.charAt(0)];
    const comparatorOf = (endIndex: number) => comparator(tokens, i, endIndex, body, from, to);

    // Money: "$10.00", "10 dollars", optionally a rate ("$99 a year", "$5 per month").
    if (symbol || (next && CURRENCY_WORDS[nextNorm] && adjacent(t, next, body))) {
      const currency = symbol ? { unit: symbol, scale: 1 } : CURRENCY_WORDS[nextNorm]!;
      let endIndex = symbol ? i : i + 1;
      let unit = currency.unit;
      const a = tokens[endIndex + 1];
      const b = tokens[endIndex + 2];
      if (a && RATE_PERIODS[a.norm] && /^(monthly|weekly|daily|yearly|annually)$/.test(a.norm)) {
        unit = `${unit}/${RATE_PERIODS[a.norm]}`;
        endIndex += 1;
      } else if (a && b && /^(a|per|each|every|an)$/.test(a.norm) && RATE_PERIODS[b.norm]) {
        unit = `${unit}/${RATE_PERIODS[b.norm]}`;
        endIndex += 2;
      }
      out.push({ dimension: 'money', unit, value: round(t.value * currency.scale, 4), display: body.slice(t.start, tokens[endIndex]!.end), comparator: comparatorOf(endIndex), start: t.start, end: tokens[endIndex]!.end });
      for (let k = i; k <= endIndex; k++) consumed.add(k);
      continue;
    }
    // Percent: "20%", "20 percent".
    if (t.text.endsWith('%') || (next && /^(percent|pct)$/.test(nextNorm) && adjacent(t, next, body))) {
      const endIndex = t.text.endsWith('%') ? i : i + 1;
      out.push({ dimension: 'percent', unit: '%', value: t.value, display: body.slice(t.start, tokens[endIndex]!.end), comparator: comparatorOf(endIndex), start: t.start, end: tokens[endIndex]!.end });
      for (let k = i; k <= endIndex; k++) consumed.add(k);
      continue;
    }
    // Duration: "90 days", "6 months", "5 business days".
    let u = i + 1;
    while (u < tokens.length && u <= i + 2 && DURATION_FILLERS.has(tokens[u]!.norm)) u++;
    const unitToken = tokens[u];
    if (unitToken && DURATION_UNITS[unitToken.norm] !== undefined && gapOk(tokens, i, u, body)) {
      out.push({ dimension: 'duration', unit: 'day', value: round(t.value * DURATION_UNITS[unitToken.norm]!, 4), display: body.slice(t.start, unitToken.end), comparator: comparatorOf(u), start: t.start, end: unitToken.end });
      for (let k = i; k <= u; k++) consumed.add(k);
      continue;
    }
    // Count: "3 out of 7 items" (3 items are required: the 7 is the list), "8 options", "two items".
    const outOf = tokens[i + 1]?.norm === 'out' && tokens[i + 2]?.norm === 'of' && tokens[i + 3]?.kind === 'number';
    const nounAt = outOf ? skipDeterminers(tokens, i + 4) : i + 1;
    const noun = tokens[nounAt];
    if (noun && isCountNoun(noun) && Number.isInteger(t.value) && t.value <= 1000 && !isYear(t) && gapOk(tokens, outOf ? i + 3 : i, nounAt, body)) {
      out.push({
        dimension: 'count',
        unit: noun.stem,
        value: t.value,
        display: body.slice(t.start, noun.end).replace(/\*+/g, ''),
        comparator: comparatorOf(nounAt),
        start: t.start,
        end: noun.end,
      });
      for (let k = i; k <= nounAt; k++) consumed.add(k);
      continue;
    }
  }
  return out;
}

/** "of the", "of" between "out of 7" and its noun. */
function skipDeterminers(tokens: readonly Token[], at: number): number {
  let k = at;
  while (k < tokens.length && k < at + 3 && /^(of|the|these|those|listed)$/.test(tokens[k]!.norm)) k++;
  return k;
}

/** A plural common noun: lower case, letters only, ends in s (not ss), not a stopword or unit. */
function isCountNoun(t: Token): boolean {
  return t.kind === 'word' && !t.stop && !t.capitalized && /^[a-z]{3,}s$/.test(t.norm) && !t.norm.endsWith('ss') && !NOT_SUBJECT.has(t.stem) && !/^(is|was|has|does|goes|says|its|this|thus|plus|yes)$/.test(t.norm);
}

function isYear(t: Token): boolean {
  return /^\d{4}$/.test(t.text) && t.value! >= 1900 && t.value! <= 2100;
}

/** Tokens i..j stand in one phrase: nothing but spaces and emphasis between them. */
function gapOk(tokens: readonly Token[], i: number, j: number, body: string): boolean {
  for (let k = i; k < j; k++) if (!adjacent(tokens[k]!, tokens[k + 1]!, body)) return false;
  return true;
}

function adjacent(a: Token, b: Token, body: string): boolean {
  return /^[\s*_]{0,4}$/.test(body.slice(a.end, b.start));
}

function comparator(tokens: readonly Token[], i: number, endIndex: number, body: string, from: number, to: number): FactComparator {
  const first = tokens[i]!;
  const before = stripMarkdown(body.slice(Math.max(from, first.start - 40), first.start)).toLowerCase().replace(/[^a-z ]+/g, ' ').replace(/\s+/g, ' ').trim();
  for (const [re, c] of BEFORE_CUES) if (re.test(before)) return c;
  const last = tokens[endIndex]!;
  const after = stripMarkdown(body.slice(last.end, Math.min(to, last.end + 30))).toLowerCase().replace(/[^a-z ]+/g, ' ').replace(/\s+/g, ' ').trim();
  for (const [re, c] of AFTER_CUES) if (re.test(after)) return c;
  return 'exact';
}

/** Tier and service qualifiers of the sentence; a category the sentence does not name is read from its parents, nearest first. */
export function qualifiersOf(sentence: string, contextText: readonly string[]): FactQualifiers {
  return qualifiersFrom(tokenize(sentence), sentence, contextText);
}

function qualifiersFrom(sentenceTokens: readonly Token[], sentence: string, contextText: readonly string[]): FactQualifiers {
  const result: FactQualifiers = { tier: [], service: [] };
  for (const [key, set] of [['tier', TIERS], ['service', SERVICES]] as const) {
    for (let k = -1; k < contextText.length; k++) {
      const text = k < 0 ? sentence : contextText[k]!;
      if (key === 'tier' && ALL_TIERS_RE.test(text)) break; // explicitly every tier: no restriction
      const tokens = k < 0 ? sentenceTokens : tokenize(text);
      const found = [...new Set(tokens.map((t) => t.stem).filter((s) => set.has(s)))].sort();
      if (found.length > 0) {
        result[key] = found;
        break;
      }
    }
  }
  return result;
}

/** Content stems that can name a subject: no numbers, units, comparators or qualifier words. */
export function subjectStems(text: string): string[] {
  return stemsOf(tokenize(text));
}

function stemsOf(tokens: readonly Token[]): string[] {
  return [...new Set(contentTokens(tokens).filter((t) => t.kind === 'word' && t.norm.length > 2 && !NOT_SUBJECT.has(t.stem) && !TIERS.has(t.stem) && !SERVICES.has(t.stem)).map((t) => t.stem))];
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
