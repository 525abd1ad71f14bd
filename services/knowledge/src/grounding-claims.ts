/** Claim extraction: an answer's claims, and the role and source status of each content token. */
import type { SourceModel } from './grounding-sources.ts';
import { synonymsOf } from './synonyms.ts';
import { isNegation, splitSentences, stem, type Token } from './text.ts';

/** Conversational words that carry no claim ("Sure, happy to help today"). */
export const FILLER = new Set(
  'sure happy glad help thanks thank hello hi hey today okay ok absolutely certainly great sorry apologize apologise welcome yeah yea yep yup yes nah nope hmm um uh lol haha well oh wow really actually indeed course anything else assist questions question still already just even now currently simply'.split(
    ' ',
  ),
);
const FILLER_STEMS = new Set([...FILLER].map((w) => stem(w)));

export type TokenStatus = 'source' | 'synonym' | 'context' | 'missing';
export type TokenRole = 'number' | 'entity' | 'word';

export interface ClaimToken {
  token: Token;
  role: TokenRole;
  weight: number;
  status: TokenStatus;
}

const ROLE_WEIGHT: Record<TokenRole, number> = { number: 3, entity: 2, word: 1 };

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

/** The claim's content tokens (no stopwords or filler), each with its role and whether the sources state it. */
export function classifyClaimTokens(tokens: readonly Token[], sm: SourceModel): ClaimToken[] {
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

/** The stem, or one of its synonyms, is in the set. */
export function inSet(s: string, set: ReadonlySet<string>): boolean {
  if (set.has(s)) return true;
  for (const o of synonymsOf(s)) if (set.has(o)) return true;
  return false;
}

/** Runs of missing tokens (adjacent in the claim, only stopwords between them). */
export function groupMissing(claim: readonly ClaimToken[], tokens: readonly Token[]): ClaimToken[][] {
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
