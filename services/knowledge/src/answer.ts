import { isCaption, markdownLines, type MdLine } from './markdown.ts';
import type { Passage, SearchHit } from './retrieval.ts';
import { synonymsOf } from './synonyms.ts';
import { asText, contentTokens, queryTokens, splitSentences, stripMarkdown, tokenize } from './text.ts';

/**
 * Extractive grounded answers: the sentences of the retrieved passages that best answer the
 * question, cleaned of Markdown for speech, each with a citation to its article version and
 * character offsets in the article body. When retrieval found nothing relevant enough, the result
 * is "not covered" (with a hand-off line), never an invented answer.
 */

export interface Citation {
  articleId: string;
  version: number;
  /** Offsets into the article body of that version. */
  start: number;
  end: number;
  slug?: string;
  title?: string;
}

export interface AnswerSentence {
  /** The sentence as it is spoken (Markdown removed, framed by its parent bullet when needed). */
  text: string;
  citations: Citation[];
}

export interface CoveredAnswer {
  covered: true;
  /** The answer as it is spoken. */
  text: string;
  sentences: AnswerSentence[];
  /** Every span the answer is taken from, in answer order (a sentence may cite its parent line too). */
  citations: Citation[];
  /** 0..1: how much of the question the cited text matches. */
  confidence: number;
}

export interface NotCoveredAnswer {
  covered: false;
  /** What to say instead: an offer to hand over to a person. */
  text: string;
  reason: 'empty_question' | 'no_passages' | 'low_relevance';
  citations: [];
  confidence: number;
}

export type ComposedAnswer = CoveredAnswer | NotCoveredAnswer;

export interface ComposeOptions {
  /** Sentences in the answer at most (default 2). */
  maxSentences?: number;
  /** A passage needs at least this search coverage of the question (default 0.4). */
  minCoverage?: number;
  /** A sentence needs at least this share of the question's weight (default 0.3). */
  minSentenceOverlap?: number;
  /** Passages considered (default 4, best first). */
  maxPassages?: number;
  /** Line said when the KB does not cover the question. */
  notCoveredText?: string;
}

export const NOT_COVERED_TEXT = "I'm sorry, I don't have information about that in our knowledge base. I can connect you with a colleague who can help.";

interface Candidate {
  passage: Passage;
  rank: number;
  start: number;
  end: number;
  spoken: string;
  overlap: number;
  parent?: { start: number; end: number; spoken: string };
  order: number;
}

export function composeAnswer(question: string, passages: readonly (SearchHit | Passage)[], options: ComposeOptions = {}): ComposedAnswer {
  const notCovered = (reason: NotCoveredAnswer['reason'], confidence = 0): NotCoveredAnswer => ({
    covered: false,
    text: options.notCoveredText ?? NOT_COVERED_TEXT,
    reason,
    citations: [],
    confidence: round(confidence),
  });
  const q = asText(question, 4000);
  const qTokens = queryTokens(q);
  if (qTokens.length === 0) return notCovered('empty_question');
  const list = Array.isArray(passages) ? passages.filter((p): p is SearchHit | Passage => !!p && typeof p.text === 'string') : [];
  if (list.length === 0) return notCovered('no_passages');

  const minCoverage = options.minCoverage ?? 0.4;
  const relevant = list.slice(0, Math.max(1, options.maxPassages ?? 4)).filter((p) => !('coverage' in p) || p.coverage >= minCoverage);
  const bestCoverage = Math.max(0, ...list.map((p) => ('coverage' in p ? p.coverage : 1)));
  if (relevant.length === 0) return notCovered('low_relevance', bestCoverage);

  // Question weights: its own stems 1, their synonyms 0.5, a match only in the article title or
  // section 0.25 (a stem counts once, at its best weight).
  const qStems = [...new Set(qTokens.map((t) => t.stem))];
  const totalWeight = qStems.length;
  const overlapOf = (stems: ReadonlySet<string>, frame: ReadonlySet<string>) => {
    let w = 0;
    for (const s of qStems) {
      if (stems.has(s)) w += 1;
      else if ([...synonymsOf(s)].some((o) => stems.has(o))) w += 0.5;
      else if (frame.has(s)) w += 0.25;
    }
    return w / totalWeight;
  };
  const wants = expectedAnswer(q);

  const candidates: Candidate[] = [];
  let order = 0;
  relevant.forEach((passage, rank) => {
    const frame = stemSet(`${passage.title} ${passage.topic} ${passage.heading} ${passage.context}`);
    const lines = markdownLines(passage.text);
    lines.forEach((line, li) => {
      if (line.kind === 'heading' || isLabelOnly(line.plain) || isCaption(passage.text.slice(line.start, line.end))) return;
      const parent = parentLine(lines, li);
      // A parent that introduces its children ("Silver members:") is part of their meaning.
      const frames = parent && isLabelOnly(parent.plain) ? parent : undefined;
      const parentStems = parent ? stemSet(parent.plain) : new Set<string>();
      for (const s of splitSentences(passage.text.slice(line.textStart, line.end), line.textStart)) {
        const spoken = speakable(s.text);
        if (spoken.length < 3) continue;
        const stems = stemSet(spoken);
        if (frames) for (const st of parentStems) stems.add(st);
        let overlap = overlapOf(stems, new Set([...frame, ...parentStems]));
        if (overlap > 0 && wants && wants.test(spoken)) overlap += 0.25;
        const c: Candidate = { passage, rank, start: passage.start + s.start, end: passage.start + s.end, spoken, overlap, order: order++ };
        if (frames) c.parent = { start: passage.start + frames.textStart, end: passage.start + frames.end, spoken: speakable(frames.plain) };
        candidates.push(c);
      }
    });
  });
  const minOverlap = options.minSentenceOverlap ?? 0.3;
  // Best sentence first: overlap, then passage rank, then position (deterministic).
  const ranked = candidates
    .filter((c) => c.overlap >= minOverlap)
    .sort((a, b) => b.overlap - a.overlap || a.rank - b.rank || a.order - b.order);
  if (ranked.length === 0) return notCovered('low_relevance', bestCoverage);

  const maxSentences = Math.max(1, Math.min(5, options.maxSentences ?? 2));
  const chosen: Candidate[] = [ranked[0]!];
  for (const c of ranked.slice(1)) {
    if (chosen.length >= maxSentences) break;
    // A second sentence must come from the same article (stay on one subject) and match nearly as well.
    if (c.passage.articleId !== chosen[0]!.passage.articleId || c.overlap < ranked[0]!.overlap * 0.75) continue;
    if (chosen.some((x) => x.spoken === c.spoken)) continue;
    chosen.push(c);
  }
  chosen.sort((a, b) => a.order - b.order);

  const sentences: AnswerSentence[] = chosen.map((c) => {
    const cite = (start: number, end: number): Citation => ({ articleId: c.passage.articleId, version: c.passage.version, start, end, slug: c.passage.slug, title: c.passage.title });
    const own = cite(c.start, c.end);
    if (c.parent) {
      return { text: sentence(`${c.parent.spoken.replace(/[:.]\s*$/, '')}: ${lowerFirst(c.spoken)}`), citations: [cite(c.parent.start, c.parent.end), own] };
    }
    return { text: sentence(c.spoken), citations: [own] };
  });
  const confidence = Math.min(1, chosen[0]!.overlap) * Math.min(1, bestCoverage || 1);
  return {
    covered: true,
    text: sentences.map((s) => s.text).join(' '),
    sentences,
    citations: sentences.flatMap((s) => s.citations),
    confidence: round(confidence),
  };
}

/**
 * What kind of value the question asks for: an amount ("how much", "cost", "fee") or a duration
 * ("how long", "how many days", "when"). A sentence stating one gets a small bonus.
 */
function expectedAnswer(question: string): RegExp | undefined {
  const q = question.toLowerCase();
  if (/\bhow much\b|\bcost|\bprice|\bfee\b|\bfees\b|\bcharge/.test(q)) return /[$£€]\s?\d|\d+(\.\d+)?\s?(dollars|euros|pounds|%)/i;
  if (/\bhow long\b|\bhow many (days|weeks|months|years|hours)\b|\bwhen\b|\bdeadline\b|\bwindow\b/.test(q)) {
    return /\b(\d+|one|two|three|four|five|six|seven|eight|nine|ten|twelve|thirty|sixty|ninety)\s+(business\s+)?(minutes?|hours?|days?|weeks?|months?|years?)\b/i;
  }
  return undefined;
}

/** A line that only labels what follows ("Silver members:", "Options include:"). */
function isLabelOnly(plain: string): boolean {
  return /:\s*$/.test(plain) && plain.length <= 80;
}

function parentLine(lines: readonly MdLine[], index: number): MdLine | undefined {
  const p = lines[index]?.parent ?? -1;
  return p >= 0 ? lines[p] : undefined;
}

function stemSet(text: string): Set<string> {
  return new Set(contentTokens(tokenize(text)).map((t) => t.stem));
}

/** Markdown → words for speech: markup removed, "*or*" → "or", arrows and slashes read out. */
function speakable(text: string): string {
  return stripMarkdown(text)
    .replace(/\s*→\s*/g, ' becomes ')
    .replace(/\s+/g, ' ')
    .trim();
}

function sentence(text: string): string {
  const t = text.trim();
  const capital = t.charAt(0).toUpperCase() + t.slice(1);
  return /[.!?]["')\]]?$/.test(capital) ? capital : `${capital.replace(/[:;,]$/, '')}.`;
}

function lowerFirst(text: string): string {
  // Keep acronyms and names ("PIN", "Gold") as written; lower a plain first word.
  return /^[A-Z][a-z]+\b/.test(text) && !/^(I|Gold|Silver|Bronze|Guest)\b/.test(text) ? text.charAt(0).toLowerCase() + text.slice(1) : text;
}

function round(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}

/** Search `index` for the question and compose the answer from the hits. */
export function answerFromKb(index: { search(query: string, k?: number): SearchHit[] }, question: string, options: ComposeOptions & { k?: number } = {}): ComposedAnswer {
  return composeAnswer(question, index.search(question, options.k ?? 5), options);
}
