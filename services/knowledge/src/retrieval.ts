import { z } from 'zod';
import { parseOrThrow } from '@cc/core';
import { isCaption, passageSpans } from './markdown.ts';
import { synonymsOf } from './synonyms.ts';
import { asText, contentTokens, queryTokens, stripMarkdown, tokenize } from './text.ts';

/**
 * In-process KB retrieval: BM25F over passages of each article (paragraphs and list-item blocks of
 * the Markdown body), with the article title, the topic and the section heading as boosted fields,
 * Porter stemming, English stopwords and a small contact-center synonym expansion. Articles are
 * added, replaced and removed one at a time (postings keep raw field frequencies, so nothing is
 * recomputed for the rest of the index).
 */

export const KbDocumentSchema = z.preprocess(
  (v) => (v && typeof v === 'object' && !('version' in v) && 'currentVersion' in v ? { ...v, version: (v as { currentVersion: unknown }).currentVersion } : v),
  z.object({
    id: z.string().min(1).max(200),
    slug: z.string().max(200).default(''),
    title: z.string().max(300),
    topic: z.string().max(100).default(''),
    body: z.string().max(200_000),
    version: z.number().int().nonnegative(),
    /** When given, only 'published' articles are indexed (see KbIndexOptions.statuses). */
    status: z.string().optional(),
  }),
);
/** What the index needs of a KB article. */
export interface KbDocument {
  id: string;
  slug?: string;
  title: string;
  topic?: string;
  /** Markdown. */
  body: string;
  version: number;
  /** When given, only indexed if in KbIndexOptions.statuses (default: 'published'). */
  status?: string;
}
/** The store's article shape (`currentVersion`) is accepted too. */
export type KbDocumentInput = KbDocument | (Omit<KbDocument, 'version'> & { currentVersion: number });
type Doc = z.output<typeof KbDocumentSchema>;

export interface Passage {
  articleId: string;
  slug: string;
  version: number;
  title: string;
  topic: string;
  /** Section heading the passage sits under ('' for the intro). */
  heading: string;
  /** Offsets into the article body: `body.slice(start, end) === text`. */
  start: number;
  end: number;
  /** The passage as written (Markdown). */
  text: string;
  /** For a long block cut in pieces: the first line of the block, as plain text. */
  context: string;
}

export interface SearchHit extends Passage {
  /** BM25F score (unbounded, comparable within one query). */
  score: number;
  /** Share of the query's weight (IDF) that the passage matches, 0..1, synonyms at their weight. */
  coverage: number;
  /** Query stems the passage matched (synonym matches as "query→synonym"). */
  matched: string[];
}

export interface KbIndexOptions {
  /** Longest passage in characters before a block is cut (default 700). */
  maxPassageChars?: number;
  /** Indexed article statuses when an article carries one (default ['published']). */
  statuses?: readonly string[];
  /** Weight of a synonym of a query term, 0 to switch expansion off (default 0.4). */
  synonymWeight?: number;
}

export interface SearchOptions {
  /** At most this many hits per article (default 2), so one long article cannot fill the list. */
  perArticle?: number;
  /** Only these articles (ids). */
  articleIds?: readonly string[];
}

export interface SyncResult {
  added: number;
  updated: number;
  removed: number;
  unchanged: number;
}

// Field order in the posting vectors: title, topic, section (heading + block context), text.
const FIELDS = 4;
const FIELD_WEIGHT = [3.5, 1.2, 1.2, 1];
const FIELD_B = [0.3, 0.3, 0.5, 0.75];
const K1 = 1.2;
const MAX_QUERY_TERMS = 64;

interface Slot {
  passage: Passage;
  lengths: number[];
  terms: string[];
}

export class KbIndex {
  private readonly docs = new Map<string, { doc: Doc; slots: number[] }>();
  private readonly slots: (Slot | undefined)[] = [];
  private readonly free: number[] = [];
  private readonly postings = new Map<string, Map<number, Float64Array>>();
  private readonly totalLength = new Array<number>(FIELDS).fill(0);
  private live = 0;
  private readonly maxPassageChars: number;
  private readonly statuses: ReadonlySet<string>;
  private readonly synonymWeight: number;

  constructor(options: KbIndexOptions = {}) {
    this.maxPassageChars = Math.max(100, options.maxPassageChars ?? 700);
    this.statuses = new Set(options.statuses ?? ['published']);
    this.synonymWeight = Math.min(1, Math.max(0, options.synonymWeight ?? 0.4));
  }

  /** A new index holding `articles`. Throws ValidationError for a malformed article. */
  static build(articles: readonly KbDocumentInput[], options: KbIndexOptions = {}): KbIndex {
    const index = new KbIndex(options);
    index.sync(articles);
    return index;
  }

  /** Number of articles and passages indexed. */
  get size(): { articles: number; passages: number } {
    let articles = 0;
    for (const d of this.docs.values()) if (this.accepts(d.doc)) articles++;
    return { articles, passages: this.live };
  }

  has(articleId: string): boolean {
    return this.docs.has(articleId);
  }

  /** The indexed article (as given), or undefined. */
  article(articleId: string): Doc | undefined {
    return this.docs.get(articleId)?.doc;
  }

  /**
   * Add or replace one article. Unchanged content (same version, title, topic, body, status) is a
   * no-op. Returns what happened.
   */
  upsert(input: KbDocumentInput): 'added' | 'updated' | 'unchanged' {
    const doc = parseOrThrow(KbDocumentSchema, input, 'KB article', { id: (input as { id?: unknown })?.id });
    const existing = this.docs.get(doc.id);
    if (existing && sameContent(existing.doc, doc)) return 'unchanged';
    if (existing) this.removeSlots(existing.slots);
    const slots = this.accepts(doc) ? this.addPassages(doc) : [];
    this.docs.set(doc.id, { doc, slots });
    return existing ? 'updated' : 'added';
  }

  remove(articleId: string): boolean {
    const existing = this.docs.get(articleId);
    if (!existing) return false;
    this.removeSlots(existing.slots);
    this.docs.delete(articleId);
    return true;
  }

  /** Make the index hold exactly `articles`: add new, replace changed, drop missing ones. */
  sync(articles: readonly KbDocumentInput[]): SyncResult {
    const result: SyncResult = { added: 0, updated: 0, removed: 0, unchanged: 0 };
    const seen = new Set<string>();
    for (const a of articles) {
      const outcome = this.upsert(a);
      result[outcome]++;
      seen.add((a as { id: string }).id);
    }
    for (const id of [...this.docs.keys()]) {
      if (!seen.has(id)) {
        this.remove(id);
        result.removed++;
      }
    }
    return result;
  }

  /** The `k` best passages for `query`, best first. Never throws; an empty query finds nothing. */
  search(query: string, k = 5, options: SearchOptions = {}): SearchHit[] {
    const limit = Math.max(0, Math.min(100, Math.floor(Number.isFinite(k) ? k : 5)));
    if (limit === 0 || this.live === 0) return [];
    const weights = this.queryWeights(asText(query, 4000));
    if (weights.size === 0) return [];
    const n = this.live;
    const avg = this.totalLength.map((t) => Math.max(1, t / n));
    const scores = new Map<number, { score: number; matched: Map<string, { weight: number; idf: number; label: string }> }>();
    let totalIdf = 0;
    const baseIdf = new Map<string, number>();
    for (const [term, { weight, base }] of weights) {
      const posting = this.postings.get(term);
      const df = posting?.size ?? 0;
      const idf = Math.log(1 + (n - df + 0.5) / (df + 0.5));
      if (term === base) baseIdf.set(base, Math.max(baseIdf.get(base) ?? 0, idf || Math.log(1 + (n + 0.5) / 0.5)));
      if (!posting) continue;
      for (const [slot, tf] of posting) {
        const s = this.slots[slot]!;
        let wtf = 0;
        for (let f = 0; f < FIELDS; f++) {
          if (tf[f]! > 0) wtf += (FIELD_WEIGHT[f]! * tf[f]!) / (1 - FIELD_B[f]! + (FIELD_B[f]! * s.lengths[f]!) / avg[f]!);
        }
        const contribution = weight * idf * ((wtf * (K1 + 1)) / (wtf + K1));
        let entry = scores.get(slot);
        if (!entry) scores.set(slot, (entry = { score: 0, matched: new Map() }));
        entry.score += contribution;
        const prev = entry.matched.get(base);
        if (!prev || prev.weight < weight) entry.matched.set(base, { weight, idf, label: term === base ? base : `${base}→${term}` });
      }
    }
    for (const v of baseIdf.values()) totalIdf += v;
    const allowed = options.articleIds ? new Set(options.articleIds) : undefined;
    const ranked = [...scores.entries()]
      .filter(([slot]) => !allowed || allowed.has(this.slots[slot]!.passage.articleId))
      .map(([slot, e]) => {
        let covered = 0;
        for (const [base, m] of e.matched) covered += m.weight * Math.min(m.idf, baseIdf.get(base) ?? m.idf);
        return { slot, score: e.score, coverage: totalIdf > 0 ? Math.min(1, covered / totalIdf) : 0, matched: [...e.matched.values()].map((m) => m.label).sort() };
      })
      .sort((a, b) => b.score - a.score || cmp(this.slots[a.slot]!.passage, this.slots[b.slot]!.passage));
    const perArticle = Math.max(1, options.perArticle ?? 2);
    const counts = new Map<string, number>();
    const hits: SearchHit[] = [];
    for (const r of ranked) {
      const p = this.slots[r.slot]!.passage;
      const c = counts.get(p.articleId) ?? 0;
      if (c >= perArticle) continue;
      counts.set(p.articleId, c + 1);
      hits.push({ ...p, score: round(r.score), coverage: round(r.coverage), matched: r.matched });
      if (hits.length >= limit) break;
    }
    return hits;
  }

  /** Query stems with weights: 1 for the query's own terms, synonymWeight for expansions. */
  private queryWeights(query: string): Map<string, { weight: number; base: string }> {
    const out = new Map<string, { weight: number; base: string }>();
    const tokens = queryTokens(query).slice(0, MAX_QUERY_TERMS);
    for (const t of tokens) out.set(t.stem, { weight: 1, base: t.stem });
    if (this.synonymWeight > 0) {
      for (const t of tokens) {
        for (const s of synonymsOf(t.stem)) if (!out.has(s)) out.set(s, { weight: this.synonymWeight, base: t.stem });
      }
    }
    return out;
  }

  private accepts(doc: Doc): boolean {
    return doc.status === undefined || this.statuses.has(doc.status);
  }

  private addPassages(doc: Doc): number[] {
    const titleTerms = stems(doc.title);
    const spans = passageSpans(doc.body, this.maxPassageChars);
    // Captions ("*Account Access: username, password and two-factor authentication*") describe the
    // whole article: they join the topic field of every passage instead of being passages.
    const captions = spans.filter((s) => isCaption(doc.body.slice(s.start, s.end)));
    const topicTerms = [...stems(doc.topic), ...captions.flatMap((s) => stems(stripMarkdown(doc.body.slice(s.start, s.end))))];
    const out: number[] = [];
    for (const span of spans) {
      if (captions.includes(span)) continue;
      const text = doc.body.slice(span.start, span.end);
      const fields = [titleTerms, topicTerms, stems(`${span.heading} ${span.context}`), stems(stripMarkdown(text))];
      if (fields[3]!.length === 0) continue;
      const passage: Passage = { articleId: doc.id, slug: doc.slug, version: doc.version, title: doc.title, topic: doc.topic, heading: span.heading, start: span.start, end: span.end, text, context: span.context };
      const slot = this.free.length ? this.free.pop()! : this.slots.length;
      const lengths = fields.map((f) => f.length);
      const tf = new Map<string, Float64Array>();
      fields.forEach((terms, f) => {
        for (const term of terms) {
          let v = tf.get(term);
          if (!v) tf.set(term, (v = new Float64Array(FIELDS)));
          v[f]! += 1;
        }
      });
      for (const [term, v] of tf) {
        let posting = this.postings.get(term);
        if (!posting) this.postings.set(term, (posting = new Map()));
        posting.set(slot, v);
      }
      lengths.forEach((l, f) => (this.totalLength[f]! += l));
      this.slots[slot] = { passage, lengths, terms: [...tf.keys()] };
      this.live++;
      out.push(slot);
    }
    return out;
  }

  private removeSlots(slots: readonly number[]): void {
    for (const slot of slots) {
      const s = this.slots[slot];
      if (!s) continue;
      for (const term of s.terms) {
        const posting = this.postings.get(term);
        posting?.delete(slot);
        if (posting && posting.size === 0) this.postings.delete(term);
      }
      s.lengths.forEach((l, f) => (this.totalLength[f]! -= l));
      this.slots[slot] = undefined;
      this.free.push(slot);
      this.live--;
    }
  }
}

function stems(text: string): string[] {
  return contentTokens(tokenize(text)).map((t) => t.stem);
}

function sameContent(a: Doc, b: Doc): boolean {
  return a.version === b.version && a.title === b.title && a.topic === b.topic && a.body === b.body && a.status === b.status && a.slug === b.slug;
}

function cmp(a: Passage, b: Passage): number {
  return a.articleId < b.articleId ? -1 : a.articleId > b.articleId ? 1 : a.start - b.start;
}

function round(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}
