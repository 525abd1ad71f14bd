import { tokenize } from '../text.ts';
import { extractFacts, type AuditArticle, type Fact, type FactQualifiers } from './facts.ts';
import { bag, documentStems, Idf, overlap, type TermBag } from './similarity.ts';

/**
 * Conflicting KB articles: two articles that state different values for the same subject ("Silver:
 * returns accepted within 90 days" against "Silver members: return possible within the last 6
 * months").
 *
 * 1. Facts: every number with a unit, tied to its sentence, parent list items, heading, article title
 *    and tier/service qualifiers (facts.ts).
 * 2. Alignment: two facts of different articles are about the same subject when they have the same
 *    dimension and unit (days with days, dollars with dollars, "items" with "items"), compatible
 *    qualifiers (Silver is not Bronze; a fact without a tier applies to any), and their subjects are
 *    similar: a soft IDF-weighted Dice over the stems of the sentence (weight 1), the parent lines
 *    and heading (0.5) and the title (0.5), synonyms at half credit (similarity.ts). The sentences
 *    themselves must share at least one word, or one must share a word with the other's title.
 * 3. A pair of aligned facts with different values is a conflict, unless either article also states
 *    the other's value for an equally similar subject (then the two values are cases of one rule,
 *    not a contradiction).
 * 4. Per article pair, each fact keeps its best-aligned counterpart; pairs are ranked by their best
 *    finding's similarity.
 *
 * Deterministic; O(facts²) within a unit, which is milliseconds for a few hundred articles.
 */

export interface ConflictOptions {
  /** Subject similarity two facts of articles on the same topic need (default 0.3). */
  minSimilarity?: number;
  /** Subject similarity two facts of articles on different topics need (default 0.45). */
  minCrossTopicSimilarity?: number;
  /** Compare counts ("8 options", "3 of 7 items") across topics too (default false: a count describes one procedure). */
  countsAcrossTopics?: boolean;
  /** Values within this relative difference are the same (default 0.03: a year = 12 months). */
  tolerance?: number;
  /** At most this many article pairs (default 200). */
  limit?: number;
}

export interface ConflictClaim {
  articleId: string;
  slug: string;
  title: string;
  version: number;
  /** The value as written ("6 months") and in the canonical unit (180, unit 'day'). */
  display: string;
  value: number;
  comparator: Fact['comparator'];
  /** The sentence stating it, plain text, and its offsets in the article body. */
  text: string;
  claimStart: number;
  claimEnd: number;
  /** Offsets of the number phrase in the article body. */
  valueStart: number;
  valueEnd: number;
  /** Parent list items and heading, nearest first ("Silver members:", "Membership Privileges: ..."). */
  context: string[];
  qualifiers: FactQualifiers;
}

export interface ConflictFinding {
  dimension: Fact['dimension'];
  unit: string;
  /** Subject words both claims share (stems), e.g. ["purchas", "return"]. */
  subject: string[];
  /** The shared words as written in the claims, most distinctive first, for display, e.g. ["purchase", "return"]. */
  subjectWords: string[];
  /** Tier/service the two claims have in common ([] when neither names one). */
  qualifiers: string[];
  similarity: number;
  a: ConflictClaim;
  b: ConflictClaim;
}

export interface ArticleRef {
  id: string;
  slug: string;
  title: string;
}

export interface ConflictPair {
  a: ArticleRef;
  b: ArticleRef;
  /** The best finding's similarity. */
  score: number;
  findings: ConflictFinding[];
}

interface Prepared {
  fact: Fact;
  bag: TermBag;
  localBag: TermBag;
  titleBag: TermBag;
}

export function findConflicts(articles: readonly AuditArticle[], options: ConflictOptions = {}): ConflictPair[] {
  const minSimilarity = options.minSimilarity ?? 0.3;
  const minCrossTopic = Math.max(minSimilarity, options.minCrossTopicSimilarity ?? 0.45);
  const countsAcrossTopics = options.countsAcrossTopics ?? false;
  const tolerance = options.tolerance ?? 0.03;
  const limit = options.limit ?? 200;

  const idf = new Idf();
  for (const a of articles) idf.add(documentStems(`${a.title}\n${a.body}`));

  const byUnit = new Map<string, Prepared[]>();
  for (const a of articles) {
    for (const fact of extractFacts(a)) {
      const qualifierStems = [...fact.qualifiers.tier, ...fact.qualifiers.service];
      const p: Prepared = {
        fact,
        bag: bag([fact.titleTerms, 0.5], [fact.context, 0.5], [fact.local, 1], [qualifierStems, 1]),
        localBag: bag([fact.local, 1]),
        titleBag: bag([fact.titleTerms, 1]),
      };
      const key = `${fact.dimension}:${fact.unit}`;
      const list = byUnit.get(key);
      if (list) list.push(p);
      else byUnit.set(key, [p]);
    }
  }

  // Best finding per (fact, other article), then grouped by article pair.
  const best = new Map<string, ConflictFinding>();
  for (const list of byUnit.values()) {
    for (let i = 0; i < list.length; i++) {
      for (let j = i + 1; j < list.length; j++) {
        const x = list[i]!;
        const y = list[j]!;
        if (x.fact.articleId === y.fact.articleId) continue;
        if (sameValue(x.fact.value, y.fact.value, tolerance)) continue;
        const common = commonQualifiers(x.fact.qualifiers, y.fact.qualifiers);
        if (common === undefined) continue;
        const sameTopic = normTopic(x.fact.topic) === normTopic(y.fact.topic);
        if (!sameTopic && x.fact.dimension === 'count' && !countsAcrossTopics) continue;
        const sim = overlap(x.bag, y.bag, idf);
        if (sim.similarity < (sameTopic ? minSimilarity : minCrossTopic)) continue;
        if (!anchored(x, y, idf)) continue;
        if (statesValue(list, y.fact.articleId, x, sim.similarity, idf, tolerance) || statesValue(list, x.fact.articleId, y, sim.similarity, idf, tolerance)) continue;
        const [first, second] = order(x.fact, y.fact);
        const finding: ConflictFinding = {
          dimension: x.fact.dimension,
          unit: x.fact.unit,
          subject: sim.shared,
          subjectWords: surfaceWords(displayOrder(sim.shared, common, x, y, idf), [first, second]),
          qualifiers: common,
          similarity: sim.similarity,
          a: claim(first),
          b: claim(second),
        };
        for (const key of [factKey(x.fact, y.fact.articleId), factKey(y.fact, x.fact.articleId)]) {
          const prev = best.get(key);
          if (!prev || finding.similarity > prev.similarity) best.set(key, finding);
        }
      }
    }
  }

  const pairs = new Map<string, ConflictPair>();
  const seen = new Set<ConflictFinding>();
  for (const finding of [...best.values()].sort(compareFindings)) {
    if (seen.has(finding)) continue;
    seen.add(finding);
    const key = `${finding.a.articleId}\u0000${finding.b.articleId}`;
    let pair = pairs.get(key);
    if (!pair) {
      pair = { a: ref(finding.a), b: ref(finding.b), score: finding.similarity, findings: [] };
      pairs.set(key, pair);
    }
    pair.findings.push(finding);
    pair.score = Math.max(pair.score, finding.similarity);
  }
  return [...pairs.values()]
    .map((p) => ({ ...p, findings: p.findings.sort(compareFindings) }))
    .sort((p, q) => q.score - p.score || cmp(p.a.slug, q.a.slug) || cmp(p.b.slug, q.b.slug))
    .slice(0, limit);
}

/** The two sentences share a word, or one sentence shares a word with the other's title. */
function anchored(x: Prepared, y: Prepared, idf: Idf): boolean {
  return overlap(x.localBag, y.localBag, idf).shared.length > 0 || overlap(x.localBag, y.titleBag, idf).shared.length > 0 || overlap(y.localBag, x.titleBag, idf).shared.length > 0;
}

/**
 * Whether `articleId` also states `p`'s value (same unit, compatible qualifiers) for a subject at
 * least nearly as similar as the conflicting one: then the article does not contradict `p`.
 */
function statesValue(list: readonly Prepared[], articleId: string, p: Prepared, similarity: number, idf: Idf, tolerance: number): boolean {
  for (const o of list) {
    if (o.fact.articleId !== articleId || !sameValue(o.fact.value, p.fact.value, tolerance)) continue;
    if (commonQualifiers(o.fact.qualifiers, p.fact.qualifiers) === undefined) continue;
    if (overlap(o.bag, p.bag, idf).similarity >= similarity - 0.05) return true;
  }
  return false;
}

/** Qualifiers both facts share, [] when a category is unnamed on either side, undefined when they exclude each other. */
function commonQualifiers(a: FactQualifiers, b: FactQualifiers): string[] | undefined {
  const out: string[] = [];
  for (const key of ['tier', 'service'] as const) {
    if (a[key].length === 0 || b[key].length === 0) continue;
    const both = a[key].filter((s) => b[key].includes(s));
    if (both.length === 0) return undefined;
    out.push(...both);
  }
  return out.sort();
}

/** Shared stems for display: words of both sentences first, then the most distinctive (IDF); qualifiers left out (shown apart). */
function displayOrder(shared: readonly string[], qualifiers: readonly string[], x: Prepared, y: Prepared, idf: Idf): string[] {
  const inSentences = new Set(overlap(x.localBag, y.localBag, idf).shared);
  return shared
    .filter((s) => !qualifiers.includes(s))
    .sort((p, q) => Number(inSentences.has(q)) - Number(inSentences.has(p)) || idf.weight(q) - idf.weight(p) || cmp(p, q));
}

/** Each stem as first written in the facts' sentences, parents or titles (the stem itself when not found). */
function surfaceWords(stems: readonly string[], facts: readonly Fact[]): string[] {
  const forms = new Map<string, string>();
  for (const f of facts) {
    for (const text of [f.claim.text, ...f.contextText, f.title]) {
      for (const t of tokenize(text)) if (!forms.has(t.stem)) forms.set(t.stem, t.norm);
    }
  }
  return stems.map((s) => forms.get(s) ?? s);
}

function normTopic(topic: string): string {
  return topic.trim().toLowerCase();
}

function sameValue(x: number, y: number, tolerance: number): boolean {
  if (x === y) return true;
  return Math.abs(x - y) <= tolerance * Math.max(Math.abs(x), Math.abs(y));
}

function order(x: Fact, y: Fact): [Fact, Fact] {
  return cmp(x.slug || x.articleId, y.slug || y.articleId) <= 0 ? [x, y] : [y, x];
}

function claim(f: Fact): ConflictClaim {
  return {
    articleId: f.articleId,
    slug: f.slug,
    title: f.title,
    version: f.version,
    display: f.display,
    value: f.value,
    comparator: f.comparator,
    text: f.claim.text,
    claimStart: f.claim.start,
    claimEnd: f.claim.end,
    valueStart: f.start,
    valueEnd: f.end,
    context: f.contextText,
    qualifiers: f.qualifiers,
  };
}

function ref(c: ConflictClaim): ArticleRef {
  return { id: c.articleId, slug: c.slug, title: c.title };
}

function factKey(f: Fact, otherArticle: string): string {
  return `${f.articleId}\u0000${f.start}\u0000${otherArticle}`;
}

function compareFindings(p: ConflictFinding, q: ConflictFinding): number {
  return q.similarity - p.similarity || cmp(p.a.slug, q.a.slug) || cmp(p.b.slug, q.b.slug) || p.a.valueStart - q.a.valueStart || p.b.valueStart - q.b.valueStart;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export interface ConflictGroup {
  /** Stable id: the group's alphabetically first article slug (or id). */
  id: string;
  /** Articles in the group, the most conflicting first. */
  articles: ArticleRef[];
  pairCount: number;
  /**
   * The article that disagrees with every other article of the group while they agree among
   * themselves (at least two of them): the likely wrong one. Null when no single article stands out.
   */
  outlier: ArticleRef | null;
  /** The group's best finding, for a headline. */
  top: ConflictFinding;
  score: number;
}

/** Article pairs joined into groups: connected components of the "conflicts with" graph. */
export function groupConflicts(pairs: readonly ConflictPair[]): ConflictGroup[] {
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let r = x;
    while (parent.get(r) !== r) r = parent.get(r)!;
    parent.set(x, r);
    return r;
  };
  const refs = new Map<string, ArticleRef>();
  const degree = new Map<string, number>();
  for (const p of pairs) {
    for (const r of [p.a, p.b]) {
      if (!parent.has(r.id)) parent.set(r.id, r.id);
      refs.set(r.id, r);
      degree.set(r.id, (degree.get(r.id) ?? 0) + 1);
    }
    const [x, y] = [find(p.a.id), find(p.b.id)];
    if (x !== y) parent.set(x < y ? y : x, x < y ? x : y);
  }
  const groups = new Map<string, ConflictPair[]>();
  for (const p of pairs) {
    const root = find(p.a.id);
    const list = groups.get(root);
    if (list) list.push(p);
    else groups.set(root, [p]);
  }
  const out: ConflictGroup[] = [];
  for (const list of groups.values()) {
    const ids = [...new Set(list.flatMap((p) => [p.a.id, p.b.id]))];
    const articles = ids
      .map((id) => refs.get(id)!)
      .sort((x, y) => (degree.get(y.id) ?? 0) - (degree.get(x.id) ?? 0) || cmp(x.slug || x.id, y.slug || y.id));
    const hub = articles[0]!;
    const star = ids.length >= 3 && (degree.get(hub.id) ?? 0) === ids.length - 1 && list.length === ids.length - 1;
    const top = [...list].sort((p, q) => q.score - p.score)[0]!.findings[0]!;
    out.push({
      id: [...articles].map((a) => a.slug || a.id).sort()[0]!,
      articles,
      pairCount: list.length,
      outlier: star ? hub : null,
      top,
      score: Math.max(...list.map((p) => p.score)),
    });
  }
  return out.sort((x, y) => y.score - x.score || cmp(x.id, y.id));
}
