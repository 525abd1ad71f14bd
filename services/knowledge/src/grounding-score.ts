/** Support scoring of one claim: its features, the calibrated model's score, and the spans that explain it. */
import { GROUNDING_MODEL, type GroundingFeatureName } from './calibration.ts';
import { groupMissing, inSet, type ClaimToken, type TokenRole, type TokenStatus } from './grounding-claims.ts';
import { findContradiction, findNumberContextMismatch } from './grounding-conflicts.ts';
import type { SourceModel, Unit } from './grounding-sources.ts';
import type { ClaimFeatures, ClaimResult, GroundingModel, GroundingSource, UnsupportedSpan } from './grounding-types.ts';
import type { Token } from './text.ts';

export function scoreClaim(
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

function sourceNumbersHint(sm: SourceModel): string {
  const nums = [...sm.numbers].slice(0, 6).map((n) => n.slice(1));
  return nums.length ? ` (the sources state: ${nums.join(', ')})` : ' (the sources state no numbers)';
}

export function round(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}
