/** Contradictions (negation, antonyms) and numbers stated for another subject. */
import { FILLER, inSet, type ClaimToken } from './grounding-claims.ts';
import type { SourceModel, Unit } from './grounding-sources.ts';
import type { GroundingSource, UnsupportedSpan } from './grounding-types.ts';
import { synonymsOf } from './synonyms.ts';
import { isNegation, stem, type Token } from './text.ts';

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
export function negationScope(tokens: readonly Token[], discourseAware: boolean, text?: string, offset = 0): Set<string> {
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
export function findContradiction(
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
export function findNumberContextMismatch(claim: readonly ClaimToken[], sm: SourceModel, sources: readonly GroundingSource[]): UnsupportedSpan | undefined {
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

function clip(s: string, max = 120): string {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}
