import { orig, isBareAnswer, type Doc } from './text.ts';
import type { ExtractContext, Mention, Money } from './types.ts';

/**
 * Money: "$45.99", "$1,200", "1,240 bucks", "forty five dollars and ninety nine cents" (45.99),
 * "twelve hundred dollars" (1200), "a hundred and twenty bucks", "2.5k", "99 cents", "€30". A bare
 * number counts only when an amount is being asked for. Two spoken numbers side by side with no
 * currency word ("twelve fifty") are ambiguous: 12.50 or 1250.
 */

const CURRENCY_SYMBOL: Record<string, string> = { $: 'USD', '€': 'EUR', '£': 'GBP' };
function currencyWord(w: string | undefined, fallback: string): string {
  if (!w) return fallback;
  const x = w.toLowerCase();
  if (/^(?:euros?|eur)$/.test(x)) return 'EUR';
  if (/^(?:pounds?|gbp|quid)$/.test(x)) return 'GBP';
  if (/^(?:dollars?|bucks?|usd)$/.test(x)) return 'USD';
  return fallback;
}

const MULT: Record<string, number> = { k: 1_000, thousand: 1_000, grand: 1_000, m: 1_000_000, million: 1_000_000, mil: 1_000_000 };

function money(amount: number, currency: string): Money {
  return { amount: Math.round(amount * 100) / 100, currency };
}

function num(s: string): number {
  return Number(s.replace(/,/g, ''));
}

export function extractAmounts(doc: Doc, ctx: ExtractContext, expecting: boolean): Mention[] {
  const s = doc.norm;
  const fallback = ctx.currency ?? 'USD';
  const out: (Mention & { ns: number; ne: number })[] = [];
  const push = (ns: number, ne: number, m: Omit<Mention, 'start' | 'end'>) => {
    if (out.some((o) => ns < o.ne && o.ns < ne)) return;
    const [start, end] = orig(doc, ns, ne);
    out.push({ ...m, start, end, ns, ne });
  };
  const NUMBER = String.raw`(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?`;

  // $45.99, $1,200, $2.5k, € 30
  for (const m of s.matchAll(new RegExp(String.raw`([$€£])\s?${NUMBER}(?:\s?(k|thousand|grand|million|mil|m)\b)?(?:\s+(?:and\s+)?(\d{1,2})\s+cents?\b)?`, 'gi'))) {
    let v = num(m[2]!) + (m[3] ? Number(`0.${m[3]}`) : 0);
    if (m[4]) v *= MULT[m[4].toLowerCase()]!;
    if (m[5]) v += Number(m[5]) / 100;
    push(m.index!, m.index! + m[0].length, { value: money(v, CURRENCY_SYMBOL[m[1]!]!), confidence: 0.95 });
  }
  // 45 dollars (and 99 cents), 1,240 bucks, 2 grand, 45.99 usd
  for (const m of s.matchAll(new RegExp(String.raw`(?<![\w$€£.,])${NUMBER}\s*(?:(k|thousand|grand|million|mil)\s*)?(?:(?:us\s+|u\.s\.\s+)?(dollars?|bucks?|usd|euros?|eur|pounds?|gbp|quid)\b)(?:\s+(?:and\s+(\d{1,2})\s+cents?\b|(\d{2})\b(?!\s*(?:dollars?|bucks?|%|percent|[a-z]))))?`, 'gi'))) {
    let v = num(m[1]!) + (m[2] ? Number(`0.${m[2]}`) : 0);
    if (m[3]) v *= MULT[m[3].toLowerCase()]!;
    const cents = m[5] ?? m[6];
    if (cents) v += Number(cents) / 100;
    push(m.index!, m.index! + m[0].length, { value: money(v, currencyWord(m[4], fallback)), confidence: 0.95 });
  }
  // "2 grand" / "2k" without a currency word
  for (const m of s.matchAll(new RegExp(String.raw`(?<![\w$€£.,])${NUMBER}\s?(k|grand)\b`, 'gi'))) {
    const v = (num(m[1]!) + (m[2] ? Number(`0.${m[2]}`) : 0)) * MULT[m[3]!.toLowerCase()]!;
    push(m.index!, m.index! + m[0].length, { value: money(v, fallback), confidence: 0.8 });
  }
  // 99 cents
  for (const m of s.matchAll(/(?<![\w$€£.,])(\d{1,3})\s*(?:cents?|¢)/gi)) {
    push(m.index!, m.index! + m[0].length, { value: money(Number(m[1]) / 100, fallback), confidence: 0.9 });
  }
  // A bare number when an amount was asked for ("1320", "forty five ninety nine", "45.99").
  if (expecting || out.length === 0) {
    for (const m of s.matchAll(new RegExp(String.raw`(?<![\w$€£.,:/-])${NUMBER}(?![\w:/-]|\.\d|\s*(?:%|percent|people|persons|tickets?|days?|weeks?|nights?|minutes?|hours?|items?|am|pm|a\.m|p\.m|o'?clock))`, 'gi'))) {
      const ns = m.index!;
      const ne = ns + m[0].length;
      if (out.some((o) => ns < o.ne && o.ns < ne)) continue;
      const bare = isBareAnswer(s, ns, ne);
      const moneyCue = /\b(?:pay|paid|cost|costs|charged?|refund|price|amount|total|balance|owe|transfer|send|spend|budget|fee|bill)\b/i.test(s);
      if (!expecting && !moneyCue) continue;
      const v = num(m[1]!) + (m[2] ? Number(`0.${m[2]}`) : 0);
      // Spoken "twelve fifty" (two numbers side by side): dollars and cents, or one number?
      const span = doc.parsed.spans.find((p) => p.normStart === ns && p.normEnd === ne);
      if (span && !m[2] && span.groups.length === 2 && span.groups.every((g) => g.kind === 'cardinal')) {
        const [a, b] = [span.groups[0]!.value, span.groups[1]!.value];
        if (a >= 1 && a < 100 && b >= 10 && b < 100) {
          push(ns, ne, { alternatives: [money(a + b / 100, fallback), money(v, fallback)], confidence: 0.6, note: 'dollars_and_cents_or_number' });
          continue;
        }
      }
      push(ns, ne, { value: money(v, fallback), confidence: expecting ? (bare ? 0.8 : 0.7) : 0.55 });
    }
  }
  return out.sort((a, b) => a.start - b.start).map(({ ns: _ns, ne: _ne, ...m }) => m);
}
