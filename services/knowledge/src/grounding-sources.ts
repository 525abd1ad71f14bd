/** The source model: what the source passages state, line by line, for the claims to be checked against. */
import { negationScope } from './grounding-conflicts.ts';
import type { GroundingSource } from './grounding-types.ts';
import { lineContext, markdownLines } from './markdown.ts';
import { asText, contentTokens, splitSentences, tokenize, type Token } from './text.ts';

const MAX_SOURCES_CHARS = 400_000;

export interface Unit {
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

export interface SourceModel {
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

export function normalizeSources(sources: ReadonlyArray<GroundingSource | string> | string | unknown): GroundingSource[] {
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

export function buildSourceModel(sources: readonly GroundingSource[], context: string): SourceModel {
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
