import type { Mention } from './types.ts';

/**
 * One of a slot's listed values ("checking" / "savings", "Economy" / "Business"), matched as
 * whole words, case-insensitively, with "_" read as a space and an optional plural "s". "any",
 * "doesn't matter", "no preference" give "dontcare" (the SGD convention) when that is allowed.
 */

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const DONTCARE = /\b(?:any(?:\s*(?:one|thing|kind|type|of them|is fine))?|(?:it\s+)?does\s*n[o']?t\s+matter|doesnt\s+matter|no\s+preference|whatever|either(?:\s+(?:one|is fine))?|i\s+don'?t\s+(?:care|mind))\b/gi;

export function extractCategorical(text: string, values: readonly string[], opts: { dontcare?: boolean } = {}): Mention[] {
  const out: Mention[] = [];
  const sorted = [...values].filter((v) => v.trim() !== '').sort((a, b) => b.length - a.length);
  const taken: { start: number; end: number }[] = [];
  for (const v of sorted) {
    const words = v.toLowerCase().replace(/_/g, ' ').trim().split(/\s+/).map(escape);
    const re = new RegExp(`(?<![\\w-])${words.join('[\\s_-]+')}(?:e?s)?(?![\\w-])`, 'gi');
    for (const m of text.matchAll(re)) {
      const span = { start: m.index!, end: m.index! + m[0].length };
      if (taken.some((t) => span.start < t.end && t.start < span.end)) continue;
      taken.push(span);
      out.push({ ...span, value: v, confidence: 0.9 });
    }
  }
  if (opts.dontcare !== false && out.length === 0) {
    for (const m of text.matchAll(DONTCARE)) out.push({ start: m.index!, end: m.index! + m[0].length, value: 'dontcare', confidence: 0.7 });
  }
  return out.sort((a, b) => a.start - b.start);
}
