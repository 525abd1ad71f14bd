/**
 * Grounding checker: is each claim (sentence) of an answer supported by the source passages?
 *
 * Per claim it compares content words (by stem, with the paraphrase lexicon), numbers (by value:
 * "$8.00" = "8" = "eight"), capitalised names, negation and a few antonym pairs against the sources,
 * and checks that a number the sources do state is stated for the same subject ("90 days" is the
 * Bronze window, not the Silver one). The features feed a small logistic model fitted on dev data
 * (calibration.ts); a claim with a number the sources lack is capped low whatever the rest says.
 * The answer's score is its weakest claim's. Deterministic; never throws.
 *
 * Claims and their tokens: grounding-claims.ts; the source model: grounding-sources.ts;
 * contradictions and number-subject mismatches: grounding-conflicts.ts; a claim's score and
 * explanation: grounding-score.ts.
 */
import { GROUNDING_MODEL } from './calibration.ts';
import { classifyClaimTokens, splitClaims } from './grounding-claims.ts';
import { round, scoreClaim } from './grounding-score.ts';
import { buildSourceModel, normalizeSources } from './grounding-sources.ts';
import type { ClaimResult, GroundingModel, GroundingOptions, GroundingResult, GroundingSource, UnsupportedSpan } from './grounding-types.ts';
import type { KbIndex } from './retrieval.ts';
import { asText, tokenize } from './text.ts';

const MAX_ANSWER_CHARS = 20_000;
const MAX_CLAIMS = 64;

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
    const claimTokens = classifyClaimTokens(tokens, sm);
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

function clamp01(x: number): number {
  return Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : GROUNDING_MODEL.threshold;
}
