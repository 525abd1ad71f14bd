import { answerFromKb } from '../answer.ts';
import type { KbIndex } from '../retrieval.ts';
import { asText, queryTokens } from '../text.ts';
import { bag, documentStems, Idf, overlap, type TermBag } from './similarity.ts';

/**
 * Coverage gaps: what callers asked that no article answers. Each caller utterance that reads as a
 * question or request is answered from the KB the way the agent would (`answerFromKb`: retrieval,
 * then the "not covered" decision at passage coverage 0.4). The ones left "not covered" are grouped
 * by similarity (single-pass leader clustering over IDF-weighted stems, synonyms at half credit,
 * largest groups first) and ranked by how many utterances, and calls, asked them.
 */

export interface CallerUtterance {
  text: string;
  callId?: string;
  intent?: string;
  /** When it was said (Date or ISO string). */
  at?: Date | string;
}

export interface GapOptions {
  /** Only utterances that read as a question or a request (default true). */
  questionsOnly?: boolean;
  /** Passage coverage an answer needs (default 0.4, composeAnswer's own). */
  minCoverage?: number;
  /** Similarity to join a group (default 0.4). */
  clusterSimilarity?: number;
  /**
   * Texts whose words count as common (the KB's articles): a word the KB uses everywhere ("order")
   * says little about what a question is about; one the KB never uses ("Canada") says most.
   */
  background?: readonly string[];
  /** Example utterances per group (default 3). */
  examples?: number;
  /** Groups returned (default 50). */
  limit?: number;
}

export interface GapCluster {
  /** Stable id: the leading utterance's sorted stems. */
  id: string;
  /** The group's most frequent words, as said. */
  label: string;
  /** Utterances in the group. */
  count: number;
  /** Distinct calls they came from (utterances without a call id count one each). */
  calls: number;
  /** Share of the unanswered questions. */
  share: number;
  examples: string[];
  /** Intents the NLU gave these utterances, most frequent first. */
  intents: { intent: string; count: number }[];
  /** The closest article retrieval found, with its coverage of the leading utterance (below the answer threshold). */
  nearest: { articleId: string; slug: string; title: string; coverage: number } | null;
  firstAt: string | null;
  lastAt: string | null;
}

export interface GapReport {
  /** Caller utterances read. */
  utterances: number;
  /** Of those, the ones that read as a question or request with content words. */
  questions: number;
  /** Questions the KB answers. */
  answered: number;
  /** Questions the KB does not answer. */
  unanswered: number;
  /** Groups of unanswered questions, most asked first (at most `limit`). */
  clusters: GapCluster[];
  /** Groups before the limit. */
  clusterCount: number;
}

const QUESTION_RE =
  /\?|^\s*(how|what|what's|whats|when|where|why|who|which|can|could|would|will|do|does|did|is|are|am|was|were|should|may|might|have|has|any|need)\b|\b(i (want|need|would like|'d like|wanna|was wondering|am trying|'m trying|am looking|'m looking|have a question)|help me|tell me|wondering|can i|can you|could you|how (do|can|much|long|many|often)|is it possible|is there|do you|are you|explain|why (is|was|did|does))\b/i;

/** Whether an utterance reads as a question or a request (interrogative, "I want/need", "can you", a question mark). */
export function isQuestionLike(text: string): boolean {
  return QUESTION_RE.test(text);
}

interface Group {
  key: string;
  stems: string[];
  items: CallerUtterance[];
  nearest: GapCluster['nearest'];
}

export function findCoverageGaps(index: Pick<KbIndex, 'search'>, utterances: readonly CallerUtterance[], options: GapOptions = {}): GapReport {
  const questionsOnly = options.questionsOnly ?? true;
  const threshold = options.clusterSimilarity ?? 0.4;
  const maxExamples = Math.max(1, options.examples ?? 3);
  const limit = Math.max(1, options.limit ?? 50);
  const minCoverage = options.minCoverage ?? 0.4;

  let questions = 0;
  let answered = 0;
  // Identical questions (same stems) are judged once.
  const groups = new Map<string, Group>();
  const verdicts = new Map<string, { covered: boolean; nearest: GapCluster['nearest'] }>();
  for (const u of utterances) {
    const text = asText(u?.text, 2000).trim();
    if (!text) continue;
    if (questionsOnly && !isQuestionLike(text)) continue;
    const stems = [...new Set(queryTokens(text).filter((t) => t.kind === 'word').map((t) => t.stem))].sort();
    if (stems.length === 0) continue;
    questions++;
    const key = stems.join(' ');
    let verdict = verdicts.get(key);
    if (!verdict) {
      const answer = answerFromKb(index, text, { minCoverage });
      const top = answer.covered ? undefined : index.search(text, 1)[0];
      verdict = {
        covered: answer.covered,
        nearest: top ? { articleId: top.articleId, slug: top.slug, title: top.title, coverage: top.coverage } : null,
      };
      verdicts.set(key, verdict);
    }
    if (verdict.covered) {
      answered++;
      continue;
    }
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { key, stems, items: [], nearest: verdict.nearest }));
    g.items.push({ ...u, text });
  }
  const unanswered = questions - answered;

  // IDF over the unanswered questions and the background (the KB), so words every caller says or
  // every article uses ("order", "account") weigh little.
  const idf = new Idf();
  for (const g of groups.values()) for (let i = 0; i < g.items.length; i++) idf.add(g.stems);
  for (const text of options.background ?? []) idf.add(documentStems(asText(text)));
  const ordered = [...groups.values()].sort((a, b) => b.items.length - a.items.length || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const clusters: { leader: Group; bag: TermBag; members: Group[] }[] = [];
  for (const g of ordered) {
    const gBag = bag([g.stems, 1]);
    let best: (typeof clusters)[number] | undefined;
    let bestSim = 0;
    for (const c of clusters) {
      const sim = overlap(gBag, c.bag, idf).similarity;
      if (sim >= threshold && sim > bestSim) {
        best = c;
        bestSim = sim;
      }
    }
    if (best) best.members.push(g);
    else clusters.push({ leader: g, bag: gBag, members: [g] });
  }

  const result = clusters.map((c) => toCluster(c.leader, c.members, unanswered, maxExamples));
  result.sort((a, b) => b.count - a.count || b.calls - a.calls || (a.label < b.label ? -1 : a.label > b.label ? 1 : 0));
  return { utterances: utterances.length, questions, answered, unanswered, clusters: result.slice(0, limit), clusterCount: result.length };
}

function toCluster(leader: Group, members: readonly Group[], unanswered: number, maxExamples: number): GapCluster {
  const items = members.flatMap((m) => m.items);
  const calls = new Set<string>();
  let anonymous = 0;
  const intents = new Map<string, number>();
  const words = new Map<string, { count: number; forms: Map<string, number> }>();
  let first: number | null = null;
  let last: number | null = null;
  for (const u of items) {
    if (u.callId) calls.add(u.callId);
    else anonymous++;
    if (u.intent) intents.set(u.intent, (intents.get(u.intent) ?? 0) + 1);
    const t = u.at === undefined ? NaN : u.at instanceof Date ? u.at.getTime() : Date.parse(u.at);
    if (Number.isFinite(t)) {
      first = first === null ? t : Math.min(first, t);
      last = last === null ? t : Math.max(last, t);
    }
    for (const tok of queryTokens(u.text)) {
      if (tok.kind !== 'word') continue;
      let w = words.get(tok.stem);
      if (!w) words.set(tok.stem, (w = { count: 0, forms: new Map() }));
      w.count++;
      w.forms.set(tok.norm, (w.forms.get(tok.norm) ?? 0) + 1);
    }
  }
  const label = [...words.entries()]
    .sort((a, b) => b[1].count - a[1].count || (a[0] < b[0] ? -1 : 1))
    .slice(0, 4)
    .map(([, w]) => [...w.forms.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]![0])
    .join(' · ');
  // Examples: the most repeated wordings first, each once.
  const wordings = new Map<string, number>();
  for (const u of items) wordings.set(u.text, (wordings.get(u.text) ?? 0) + 1);
  const examples = [...wordings.entries()]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, maxExamples)
    .map(([t]) => t);
  return {
    id: leader.key,
    label,
    count: items.length,
    calls: calls.size + anonymous,
    share: unanswered > 0 ? Math.round((items.length / unanswered) * 1e4) / 1e4 : 0,
    examples,
    intents: [...intents.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([intent, count]) => ({ intent, count })),
    nearest: leader.nearest,
    firstAt: first === null ? null : new Date(first).toISOString(),
    lastAt: last === null ? null : new Date(last).toISOString(),
  };
}
