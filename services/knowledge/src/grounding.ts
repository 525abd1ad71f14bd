import { GROUNDING_MODEL, type GroundingFeatureName } from './calibration.ts';
import { lineContext, markdownLines } from './markdown.ts';
import type { KbIndex } from './retrieval.ts';
import { synonymsOf } from './synonyms.ts';
import { asText, contentTokens, isNegation, splitSentences, stem, tokenize, type Token } from './text.ts';

/**
 * Grounding checker: is each claim (sentence) of an answer supported by the source passages?
 *
 * Per claim it compares content words (by stem, with the paraphrase lexicon), numbers (by value:
 * "$8.00" = "8" = "eight"), capitalised names, negation and a few antonym pairs against the sources,
 * and checks that a number the sources do state is stated for the same subject ("90 days" is the
 * Bronze window, not the Silver one). The features feed a small logistic model fitted on dev data
 * (calibration.ts); a claim with a number the sources lack is capped low whatever the rest says.
 * The answer's score is its weakest claim's. Deterministic; never throws.
 */

export interface GroundingSource {
  text: string;
  articleId?: string;
  version?: number;
  /** Text that frames the passage (article title, section heading); read as context of every line. */
  context?: string;
}

export type UnsupportedReason =
  | 'number_not_in_sources'
  | 'number_context_mismatch'
  | 'entity_not_in_sources'
  | 'words_not_in_sources'
  | 'contradiction'
  | 'low_support';

export interface UnsupportedSpan {
  /** Offsets into the answer. */
  start: number;
  end: number;
  text: string;
  reason: UnsupportedReason;
  /** One line a person can read: what is missing or contradicted, and what the sources say. */
  detail: string;
}

export interface ClaimFeatures {
  /** Weighted share of the claim's content tokens found in the sources (context-only tokens count half). */
  coverage: number;
  /** The same share within the single best-matching source line (with its parent lines). */
  unitCoverage: number;
  /** Share of adjacent content-token pairs of the claim that stand close together in the sources. */
  bigramCoverage: number;
  unsupportedNumbers: number;
  unsupportedEntities: number;
  unsupportedWords: number;
  /** Tokens found only in `context` (the question or conversation), not in the sources. */
  contextOnlyWords: number;
  /** Negation or antonym mismatch with the best-matching source line (0/1). */
  contradiction: number;
  /** A number the sources state, but for another subject (0/1). */
  numberContextMismatch: number;
}

export interface ClaimResult {
  start: number;
  end: number;
  text: string;
  score: number;
  supported: boolean;
  features: ClaimFeatures;
  /** Best-matching source line: index into `sources` and offsets into that source's text. */
  evidence?: { source: number; start: number; end: number; articleId?: string; version?: number };
  /** Set when the cited sources did not support the claim but another KB passage does (options.kb). */
  uncitedEvidence?: { articleId: string; version: number; start: number; end: number };
}

export interface GroundingResult {
  supported: boolean;
  /** 0..1, the weakest claim's score (1 when the answer makes no factual claim). */
  score: number;
  unsupportedSpans: UnsupportedSpan[];
  claims: ClaimResult[];
  /** Scorer version (calibration.ts); stored with evaluation results. */
  scorer: string;
}

export interface GroundingModel {
  bias: number;
  weights: Record<GroundingFeatureName, number>;
  threshold: number;
  capUnsupportedNumber: number;
  capNumberContextMismatch: number;
  capContradiction: number;
  version?: string;
}

export interface GroundingOptions {
  /** The question or conversation the answer replies to: words restated from it are not invented. */
  context?: string;
  /** Score threshold for `supported` (default from calibration.ts). */
  threshold?: number;
  /** Also look for support in the whole KB: a claim the cited sources miss but the KB supports is accepted and reported as uncited. */
  kb?: KbIndex;
  /** Another model (used by calibration). */
  model?: GroundingModel;
}

const MAX_ANSWER_CHARS = 20_000;
const MAX_SOURCES_CHARS = 400_000;
const MAX_CLAIMS = 64;

/** Conversational words that carry no claim ("Sure, happy to help today"). */
const FILLER = new Set(
  'sure happy glad help thanks thank hello hi hey today okay ok absolutely certainly great sorry apologize apologise welcome yeah yea yep yup yes nah nope hmm um uh lol haha well oh wow really actually indeed course anything else assist questions question still already just even now currently simply'.split(
    ' ',
  ),
);
const FILLER_STEMS = new Set([...FILLER].map((w) => stem(w)));

/** Words whose presence tells which subject a number belongs to (membership tiers, service levels). */
const QUALIFIERS = new Set(
  'gold silver bronze guest platinum standard overnight express premium basic monthly annual yearly weekly daily international domestic'.split(' ').map((w) => stem(w)),
);

const ANTONYMS: ReadonlyArray<readonly [string, string]> = [
  ['before', 'after'], ['more', 'less'], ['more', 'fewer'], ['older', 'younger'], ['earlier', 'later'], ['increase', 'decrease'],
  ['higher', 'lower'], ['include', 'exclude'], ['accept', 'reject'], ['allow', 'forbid'], ['minimum', 'maximum'], ['above', 'below'],
  ['win', 'lose'], ['won', 'lost'], ['born', 'died'], ['same', 'different'], ['first', 'last'], ['largest', 'smallest'],
  ['oldest', 'youngest'], ['always', 'never'], ['all', 'none'], ['full', 'partial'], ['open', 'closed'], ['male', 'female'],
  ['east', 'west'], ['north', 'south'], ['waive', 'charge'], ['free', 'charge'], ['approve', 'deny'], ['refundable', 'nonrefundable'],
  ['possible', 'impossible'], ['eligible', 'ineligible'], ['valid', 'invalid'], ['available', 'unavailable'], ['success', 'failure'],
];
const ANTONYM_OF = new Map<string, Set<string>>();
for (const [a, b] of ANTONYMS) {
  const sa = stem(a);
  const sb = stem(b);
  if (!ANTONYM_OF.has(sa)) ANTONYM_OF.set(sa, new Set());
  if (!ANTONYM_OF.has(sb)) ANTONYM_OF.set(sb, new Set());
  ANTONYM_OF.get(sa)!.add(sb);
  ANTONYM_OF.get(sb)!.add(sa);
}

interface Unit {
  source: number;
  start: number;
  end: number;
  /** Stems of the unit and its parent lines / source context. */
  ctx: Set<string>;
  /** Stems of the unit itself. */
  own: Set<string>;
  numbers: Set<string>;
  /** Content stems within the scope of a negation cue of the unit ("has never *fumbled the football*"). */
  negScope: Set<string>;
}

interface SourceModel {
  units: Unit[];
  stems: Set<string>;
  norms: Set<string>;
  numbers: Set<string>;
  /** Norms seen capitalised somewhere in the sources or context. */
  capitalized: Set<string>;
  /** Adjacent word pairs written together ("business woman" → "businesswoman"). */
  joined: Set<string>;
  /** Content-stem pairs within 3 content tokens of each other. */
  pairs: Set<string>;
  /** 6-letter prefixes of source words of 7+ letters (near-spellings: "Definite" / "Definitive"). */
  prefixes: Set<string>;
  /** The sources write an amount with a currency symbol. */
  hasCurrency: boolean;
  context: { stems: Set<string>; norms: Set<string>; numbers: Set<string> };
}

type TokenStatus = 'source' | 'synonym' | 'context' | 'missing';
type TokenRole = 'number' | 'entity' | 'word';

interface ClaimToken {
  token: Token;
  role: TokenRole;
  weight: number;
  status: TokenStatus;
}

const ROLE_WEIGHT: Record<TokenRole, number> = { number: 3, entity: 2, word: 1 };

export function checkGrounding(answer: string, sources: ReadonlyArray<GroundingSource | string> | string, options: GroundingOptions = {}): GroundingResult {
  const model = options.model ?? GROUNDING_MODEL;
  const threshold = clamp01(options.threshold ?? model.threshold);
  const text = asText(answer, MAX_ANSWER_CHARS);
  const srcs = normalizeSources(sources);
  const sm = buildSourceModel(srcs, asText(options.context, MAX_ANSWER_CHARS));
  const claims: ClaimResult[] = [];
  const spans: UnsupportedSpan[] = [];

  for (const sentence of splitClaims(text).slice(0, MAX_CLAIMS)) {
    const tokens = tokenize(sentence.text).map((t) => ({ ...t, start: t.start + sentence.start, end: t.end + sentence.start }));
    const claimTokens = classify(tokens, sm);
    if (claimTokens.length === 0) continue; // no factual content ("Sure, happy to help!")
    let result = scoreClaim(sentence, tokens, claimTokens, sm, srcs, model, threshold);
    if (!result.claim.supported && options.kb) {
      const alt = supportFromKb(sentence.text, options.kb, options.context, model, threshold);
      if (alt) result = { claim: { ...result.claim, supported: true, score: alt.score, uncitedEvidence: alt.evidence }, spans: [] };
    }
    claims.push(result.claim);
    spans.push(...result.spans);
  }

  const score = claims.length ? Math.min(...claims.map((c) => c.score)) : 1;
  return {
    supported: claims.every((c) => c.supported),
    score: round(score),
    unsupportedSpans: spans.sort((a, b) => a.start - b.start || a.end - b.end),
    claims,
    scorer: model.version ?? GROUNDING_MODEL.version,
  };
}

/**
 * Claims: sentences, and independent clauses joined by ", and" / ", but" / ", so" / ", while" /
 * ", whereas" / ", although" / ", though" / ", yet" (each clause is checked on its own, so "$20, and
 * Gold members have the fee waived" does not tie $20 to Gold).
 */
export function splitClaims(text: string): { start: number; end: number; text: string }[] {
  const out: { start: number; end: number; text: string }[] = [];
  for (const s of splitSentences(text)) {
    let from = 0;
    for (const m of s.text.matchAll(/,\s+(?=(?:and|but|so|while|whereas|although|though|yet)\s)/gi)) {
      const cut = (m.index ?? 0) + m[0].length;
      const piece = s.text.slice(from, m.index).trim();
      if (piece) out.push({ start: s.start + from, end: s.start + from + piece.length, text: piece });
      from = cut;
    }
    const rest = s.text.slice(from).trim();
    if (rest) out.push({ start: s.start + from, end: s.start + from + rest.length, text: rest });
  }
  return out;
}

function normalizeSources(sources: ReadonlyArray<GroundingSource | string> | string | unknown): GroundingSource[] {
  const list: unknown[] = typeof sources === 'string' ? [sources] : Array.isArray(sources) ? sources : [];
  const out: GroundingSource[] = [];
  let budget = MAX_SOURCES_CHARS;
  for (const s of list) {
    if (budget <= 0) break;
    const src: GroundingSource =
      typeof s === 'string' ? { text: s } : s && typeof s === 'object' ? { ...(s as GroundingSource), text: asText((s as GroundingSource).text) } : { text: '' };
    src.text = src.text.slice(0, budget);
    budget -= src.text.length;
    out.push(src);
  }
  return out;
}

function buildSourceModel(sources: readonly GroundingSource[], context: string): SourceModel {
  const sm: SourceModel = {
    units: [],
    stems: new Set(),
    norms: new Set(),
    numbers: new Set(),
    capitalized: new Set(),
    joined: new Set(),
    pairs: new Set(),
    prefixes: new Set(),
    hasCurrency: false,
    context: { stems: new Set(), norms: new Set(), numbers: new Set() },
  };
  const addTokens = (tokens: readonly Token[]) => {
    let prevWord: Token | undefined;
    const recent: string[] = [];
    for (const t of tokens) {
      sm.stems.add(t.stem);
      sm.norms.add(t.norm);
      if (t.kind === 'number') {
        sm.numbers.add(t.stem);
        if (/^[$£€]/.test(t.text)) sm.hasCurrency = true;
      }
      if (t.capitalized) sm.capitalized.add(t.norm);
      if (t.kind === 'word' && t.norm.length >= 7) sm.prefixes.add(t.norm.slice(0, 6));
      if (prevWord && t.kind === 'word' && t.start - prevWord.end <= 1) sm.joined.add(prevWord.norm + t.norm);
      prevWord = t.kind === 'word' ? t : undefined;
      if (t.kind === 'number' || (!t.stop && t.norm.length > 1)) {
        for (const r of recent) sm.pairs.add(`${r}|${t.stem}`);
        recent.push(t.stem);
        if (recent.length > 3) recent.shift();
      }
    }
  };
  sources.forEach((src, si) => {
    const framing = src.context ? tokenize(src.context) : [];
    const framingStems = new Set(contentTokens(framing).map((t) => t.stem));
    for (const t of framing) if (t.capitalized) sm.capitalized.add(t.norm);
    const lines = markdownLines(src.text);
    lines.forEach((line, li) => {
      const parentStems = new Set<string>(framingStems);
      for (const c of lineContext(lines, li)) for (const t of contentTokens(tokenize(c))) parentStems.add(t.stem);
      for (const sent of splitSentences(src.text.slice(line.textStart, line.end), line.textStart)) {
        const tokens = tokenize(sent.text);
        addTokens(tokens);
        const content = contentTokens(tokens);
        const own = new Set(content.map((t) => t.stem));
        sm.units.push({
          source: si,
          start: sent.start,
          end: sent.end,
          own,
          ctx: new Set([...own, ...parentStems]),
          numbers: new Set(tokens.filter((t) => t.kind === 'number').map((t) => t.stem)),
          negScope: negationScope(tokens, false, sent.text),
        });
      }
    });
  });
  for (const t of tokenize(context)) {
    sm.context.stems.add(t.stem);
    sm.context.norms.add(t.norm);
    if (t.kind === 'number') sm.context.numbers.add(t.stem);
    if (t.capitalized && t.start > 0) sm.capitalized.add(t.norm);
  }
  return sm;
}

function classify(tokens: readonly Token[], sm: SourceModel): ClaimToken[] {
  const out: ClaimToken[] = [];
  tokens.forEach((t, i) => {
    if (t.kind === 'word' && (t.stop || t.norm.length < 2 || isNegation(t.norm) || FILLER_STEMS.has(t.stem) || FILLER.has(t.norm))) return;
    let role: TokenRole;
    if (t.kind === 'number') role = /\d/.test(t.text) || t.value !== 1 ? 'number' : 'word';
    else if (t.capitalized && (i > 0 || sm.capitalized.has(t.norm))) role = 'entity';
    else role = 'word';
    out.push({ token: t, role, weight: ROLE_WEIGHT[role], status: tokenStatus(t, tokens[i + 1], sm) });
  });
  return out;
}

const CURRENCY_WORDS = new Set(['dollar', 'dollars', 'usd', 'euro', 'euros', 'eur', 'pound', 'pounds', 'gbp', 'cent', 'cents', 'bucks', 'buck']);

function tokenStatus(t: Token, next: Token | undefined, sm: SourceModel): TokenStatus {
  // "eight dollars" for "$8": the amount is checked as a number; the currency word follows the source's symbol.
  if (t.kind === 'word' && CURRENCY_WORDS.has(t.norm) && sm.hasCurrency) return 'source';
  if (t.kind === 'number') {
    if (sm.numbers.has(t.stem)) return 'source';
    // A year written "1990s" or a 4-digit number inside a longer one is not worth a hard fail.
    return sm.context.numbers.has(t.stem) ? 'context' : 'missing';
  }
  if (sm.stems.has(t.stem) || sm.norms.has(t.norm)) return 'source';
  if (next && next.kind === 'word' && sm.norms.has(t.norm + next.norm)) return 'source';
  if (sm.joined.has(t.norm)) return 'source';
  if (t.norm.length >= 7 && sm.prefixes.has(t.norm.slice(0, 6))) return 'synonym';
  for (const s of synonymsOf(t.stem)) if (sm.stems.has(s)) return 'synonym';
  if (sm.context.stems.has(t.stem) || sm.context.norms.has(t.norm)) return 'context';
  return 'missing';
}

function scoreClaim(
  sentence: { start: number; end: number; text: string },
  tokens: readonly Token[],
  claim: readonly ClaimToken[],
  sm: SourceModel,
  sources: readonly GroundingSource[],
  model: GroundingModel,
  threshold: number,
): { claim: ClaimResult; spans: UnsupportedSpan[] } {
  let total = 0;
  let got = 0;
  for (const c of claim) {
    total += c.weight;
    if (c.status === 'source' || c.status === 'synonym') got += c.weight;
    else if (c.status === 'context') got += c.weight * 0.5;
  }
  const coverage = total > 0 ? got / total : 1;

  // Best-matching unit (line or sentence, read with its parents).
  let best: Unit | undefined;
  let bestCov = 0;
  for (const u of sm.units) {
    let w = 0;
    for (const c of claim) if (inSet(c.token.stem, u.ctx)) w += c.weight;
    const cov = total > 0 ? w / total : 0;
    if (cov > bestCov + 1e-9) {
      bestCov = cov;
      best = u;
    }
  }

  // Adjacent content pairs of the claim that stand close together in the sources.
  let pairsTotal = 0;
  let pairsGot = 0;
  for (let i = 1; i < claim.length; i++) {
    const a = claim[i - 1]!.token.stem;
    const b = claim[i]!.token.stem;
    pairsTotal++;
    if (sm.pairs.has(`${a}|${b}`) || sm.pairs.has(`${b}|${a}`)) pairsGot++;
  }
  const bigramCoverage = pairsTotal > 0 ? pairsGot / pairsTotal : coverage;

  const spans: UnsupportedSpan[] = [];
  const contradiction = findContradiction(sentence, tokens, claim, best, sources, sm);
  const mismatch = findNumberContextMismatch(claim, sm, sources);

  const count = (role: TokenRole, status: TokenStatus) => claim.filter((c) => c.role === role && c.status === status).length;
  const features: ClaimFeatures = {
    coverage: round(coverage),
    unitCoverage: round(bestCov),
    bigramCoverage: round(bigramCoverage),
    unsupportedNumbers: count('number', 'missing'),
    unsupportedEntities: count('entity', 'missing'),
    unsupportedWords: count('word', 'missing'),
    contextOnlyWords: claim.filter((c) => c.status === 'context').length,
    contradiction: contradiction ? 1 : 0,
    numberContextMismatch: mismatch ? 1 : 0,
  };
  let score = modelScore(features, model);
  if (features.unsupportedNumbers > 0) score = Math.min(score, model.capUnsupportedNumber);
  if (features.numberContextMismatch > 0) score = Math.min(score, model.capNumberContextMismatch);
  if (features.contradiction > 0) score = Math.min(score, model.capContradiction);
  score = round(score);
  const supported = score >= threshold;

  // Explain: hard issues always, word-level gaps when the claim is unsupported.
  for (const group of groupMissing(claim, tokens)) {
    const role = group.some((c) => c.role === 'number') ? 'number' : group.some((c) => c.role === 'entity') ? 'entity' : 'word';
    if (role !== 'number' && supported) continue;
    const start = group[0]!.token.start;
    const end = group[group.length - 1]!.token.end;
    const spanText = sentence.text.slice(start - sentence.start, end - sentence.start);
    if (role === 'number') spans.push({ start, end, text: spanText, reason: 'number_not_in_sources', detail: `${spanText}: no source states this number${sourceNumbersHint(sm)}` });
    else if (role === 'entity') spans.push({ start, end, text: spanText, reason: 'entity_not_in_sources', detail: `${spanText}: this name does not appear in the sources` });
    else spans.push({ start, end, text: spanText, reason: 'words_not_in_sources', detail: `${spanText}: not found in the sources` });
  }
  if (mismatch) spans.push(mismatch);
  if (contradiction) spans.push(contradiction);
  if (!supported && spans.length === 0) {
    spans.push({ start: sentence.start, end: sentence.end, text: sentence.text, reason: 'low_support', detail: `only ${Math.round(coverage * 100)}% of this claim's content is found in the sources, ${Math.round(bestCov * 100)}% in any one passage line` });
  }

  const claimResult: ClaimResult = { start: sentence.start, end: sentence.end, text: sentence.text, score, supported, features };
  if (best) {
    const src = sources[best.source]!;
    claimResult.evidence = { source: best.source, start: best.start, end: best.end, ...(src.articleId !== undefined ? { articleId: src.articleId } : {}), ...(src.version !== undefined ? { version: src.version } : {}) };
  }
  return { claim: claimResult, spans };
}

export function modelScore(f: ClaimFeatures, model: GroundingModel = GROUNDING_MODEL): number {
  let z = model.bias;
  for (const [k, w] of Object.entries(model.weights) as [GroundingFeatureName, number][]) z += w * featureValue(f, k);
  return 1 / (1 + Math.exp(-z));
}

/** Feature values as the model sees them (counts capped so one long answer cannot dominate). */
export function featureValue(f: ClaimFeatures, k: GroundingFeatureName): number {
  switch (k) {
    case 'unsupportedNumbers':
      return Math.min(2, f.unsupportedNumbers);
    case 'unsupportedEntities':
      return Math.min(3, f.unsupportedEntities);
    case 'unsupportedWords':
      return Math.min(5, f.unsupportedWords);
    case 'contextOnlyWords':
      return Math.min(3, f.contextOnlyWords);
    default:
      return f[k];
  }
}

function inSet(s: string, set: ReadonlySet<string>): boolean {
  if (set.has(s)) return true;
  for (const o of synonymsOf(s)) if (set.has(o)) return true;
  return false;
}

/** Runs of missing tokens (adjacent in the claim, only stopwords between them). */
function groupMissing(claim: readonly ClaimToken[], tokens: readonly Token[]): ClaimToken[][] {
  const groups: ClaimToken[][] = [];
  let current: ClaimToken[] = [];
  let lastIndex = -10;
  for (const c of claim) {
    const idx = tokens.indexOf(c.token);
    if (c.status !== 'missing') {
      if (current.length) groups.push(current);
      current = [];
      continue;
    }
    if (current.length && idx - lastIndex > 2) {
      groups.push(current);
      current = [];
    }
    current.push(c);
    lastIndex = idx;
  }
  if (current.length) groups.push(current);
  return groups;
}

function sourceNumbersHint(sm: SourceModel): string {
  const nums = [...sm.numbers].slice(0, 6).map((n) => n.slice(1));
  return nums.length ? ` (the sources state: ${nums.join(', ')})` : ' (the sources state no numbers)';
}

const NEGATION_SCOPE = 6;

/** Real negation cues of a token list: "not only" and a leading discourse "No," / "not really," are not. */
function negationCues(tokens: readonly Token[], discourseAware: boolean): number[] {
  const cues: number[] = [];
  tokens.forEach((t, i) => {
    if (!isNegation(t.norm)) return;
    const next = tokens[i + 1];
    if (next && (next.norm === 'only' || next.norm === 'just' || next.norm === 'matter')) return; // "not only", "no matter"
    if (t.norm === 'no' && next?.kind === 'number') return; // "No. 32"
    if (discourseAware && i <= 1) {
      const gap = next ? tokens[i]!.end < next.start - 1 || /[,.!?;:]/.test(next.text) : true;
      if (!next || gap || ['but', 'really', 'sure', 'exactly', 'problem', 'worries', 'thanks', 'idea'].includes(next.norm)) return;
    }
    cues.push(i);
  });
  return cues;
}

/** Content stems within NEGATION_SCOPE tokens after each real negation cue (stopping at a clause break). */
function negationScope(tokens: readonly Token[], discourseAware: boolean, text?: string, offset = 0): Set<string> {
  const scope = new Set<string>();
  for (const i of negationCues(tokens, discourseAware)) {
    for (let k = i + 1; k < Math.min(tokens.length, i + 1 + NEGATION_SCOPE); k++) {
      const t = tokens[k]!;
      if (text !== undefined && /[,;:]/.test(text.slice(tokens[k - 1]!.end - offset, t.start - offset))) break;
      if (t.norm === 'but') break;
      if (t.kind === 'number' || (!t.stop && t.norm.length > 1 && !isNegation(t.norm) && !FILLER.has(t.norm))) scope.add(t.stem);
    }
  }
  return scope;
}

function overlaps(stems: Iterable<string>, set: ReadonlySet<string>): boolean {
  for (const s of stems) if (inSet(s, set)) return true;
  return false;
}

/**
 * Negation or antonym mismatch with the sources: the claim negates something the best-matching
 * source lines state without negation ("X was not a CEO" / "X was the CEO"), or a closely matching
 * line negates what the claim states plainly, or the claim uses the antonym of a word of the line.
 * Only words inside a negation's scope count, so "has never fumbled" does not contradict "he played".
 */
function findContradiction(
  sentence: { start: number; end: number; text: string },
  tokens: readonly Token[],
  claim: readonly ClaimToken[],
  best: Unit | undefined,
  sources: readonly GroundingSource[],
  sm: SourceModel,
): UnsupportedSpan | undefined {
  if (!best) return undefined;
  let total = 0;
  for (const c of claim) total += c.weight;
  const ownAlign = (u: Unit) => {
    let w = 0;
    for (const c of claim) if (inSet(c.token.stem, u.own)) w += c.weight;
    return total > 0 ? w / total : 0;
  };
  const lineOf = (u: Unit) => clip(sources[u.source]!.text.slice(u.start, u.end));
  const cues = negationCues(tokens, true);
  if (cues.length > 0) {
    const scope = [...negationScope(tokens, true, sentence.text, sentence.start)].filter((s) => sm.stems.has(s) || [...synonymsOf(s)].some((o) => sm.stems.has(o)));
    if (scope.length === 0) return undefined;
    const aligned = sm.units.filter((u) => overlaps(scope, u.own) && ownAlign(u) >= 0.3);
    if (aligned.length === 0 || aligned.some((u) => overlaps(scope, u.negScope))) return undefined;
    const t = tokens[cues[0]!]!;
    const u = aligned.reduce((a, b) => (ownAlign(b) > ownAlign(a) ? b : a));
    return { start: t.start, end: t.end, text: t.text, reason: 'contradiction', detail: `the claim negates ("${t.text}") what the source states: "${lineOf(u)}"` };
  }
  const claimStems = claim.map((c) => c.token.stem);
  if (best.negScope.size > 0 && ownAlign(best) >= 0.6 && overlaps(claimStems, best.negScope)) {
    return { start: sentence.start, end: sentence.end, text: sentence.text, reason: 'contradiction', detail: `the closest source line negates this: "${lineOf(best)}"` };
  }
  for (const c of claim) {
    const ants = ANTONYM_OF.get(c.token.stem);
    if (!ants || best.own.has(c.token.stem) || sm.stems.has(c.token.stem)) continue;
    for (const a of ants) {
      if (best.own.has(a)) {
        return { start: c.token.start, end: c.token.end, text: c.token.text, reason: 'contradiction', detail: `"${c.token.text}" where the closest source line says the opposite: "${lineOf(best)}"` };
      }
    }
  }
  return undefined;
}

/**
 * A number the sources state, but not for the subject the claim ties it to: the claim names a
 * qualifier (a membership tier, a service level) that no source line holding the number mentions
 * (with its parent lines), while other lines do mention the qualifier (stating another number, or
 * none: "Gold members have their fee waived").
 */
function findNumberContextMismatch(claim: readonly ClaimToken[], sm: SourceModel, sources: readonly GroundingSource[]): UnsupportedSpan | undefined {
  const numbers = claim.filter((c) => c.role === 'number' && c.status === 'source');
  if (numbers.length === 0) return undefined;
  const qualifiers = claim.filter((c) => c.role !== 'number' && c.status === 'source' && QUALIFIERS.has(c.token.stem));
  for (const n of numbers) {
    const key = n.token.stem;
    const withNumber = sm.units.filter((u) => u.numbers.has(key));
    for (const q of qualifiers) {
      const qs = q.token.stem;
      if (withNumber.some((u) => u.ctx.has(qs))) continue;
      const about = sm.units.filter((u) => u.ctx.has(qs));
      if (about.length === 0) continue;
      const other = about.find((u) => u.numbers.size > 0) ?? about[0]!;
      const stated = other.numbers.size ? `they state ${[...other.numbers].map((x) => x.slice(1)).join(', ')}` : `they say "${clip(sources[other.source]!.text.slice(other.start, other.end))}"`;
      return {
        start: n.token.start,
        end: n.token.end,
        text: n.token.text,
        reason: 'number_context_mismatch',
        detail: `${n.token.text}: the sources state this number, but not for "${q.token.text}" (for "${q.token.text}" ${stated})`,
      };
    }
  }
  return undefined;
}

function supportFromKb(
  claimText: string,
  kb: KbIndex,
  context: string | undefined,
  model: GroundingModel,
  threshold: number,
): { score: number; evidence: { articleId: string; version: number; start: number; end: number } } | undefined {
  for (const hit of kb.search(claimText, 3)) {
    const r = checkGrounding(claimText, [{ text: hit.text, articleId: hit.articleId, version: hit.version, context: `${hit.title}. ${hit.heading}. ${hit.context}` }], { context, model, threshold });
    if (r.supported && r.claims.length > 0) return { score: r.score, evidence: { articleId: hit.articleId, version: hit.version, start: hit.start, end: hit.end } };
  }
  return undefined;
}

function clip(s: string, max = 120): string {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

function clamp01(x: number): number {
  return Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : GROUNDING_MODEL.threshold;
}

function round(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}
