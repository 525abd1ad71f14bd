import { orig, isBareAnswer, type Doc } from './text.ts';
import type { Mention } from './types.ts';

/**
 * Counts and other plain numbers: "4", "four", "four five six" (456), "one twenty three" (123, a
 * digit sequence), "double five" (55), "a couple" (2), "just me" (1). Ordinals, dates, times and
 * amounts are left to their own extractors (the caller removes overlaps). A number followed by the
 * slot's noun ("3 tickets" for number_of_tickets) is preferred over other numbers.
 */

/** Nouns a count slot is about, from its name: number_of_tickets → ticket(s). */
export function countNouns(slotName: string): string[] {
  const n = slotName.toLowerCase();
  const nouns = new Set<string>();
  const m = /(?:number_of_|num_|n_)([a-z]+)/.exec(n);
  if (m) nouns.add(m[1]!.replace(/s$/, ''));
  if (/group_size|party_size|travelers|travellers|passengers|guests|people|persons|adults/.test(n)) {
    for (const w of ['people', 'person', 'guest', 'adult', 'passenger', 'traveler', 'traveller', 'of us', 'seat', 'ticket']) nouns.add(w);
  }
  if (/riders/.test(n)) nouns.add('rider').add('people').add('person');
  if (/seats/.test(n)) nouns.add('seat').add('people');
  if (/tickets/.test(n)) nouns.add('ticket').add('people');
  if (/stops/.test(n)) nouns.add('stop');
  if (/transfers/.test(n)) nouns.add('transfer');
  if (/days/.test(n)) nouns.add('day').add('night');
  if (/beds/.test(n)) nouns.add('bedroom').add('bed room').add('room');
  if (/baths/.test(n)) nouns.add('bathroom').add('bath room');
  if (/rooms/.test(n)) nouns.add('room');
  return [...nouns];
}

const WORD_COUNTS: [RegExp, number][] = [
  [/\b(?:just\s+(?:be\s+)?(?:me|myself|one)|only\s+(?:be\s+)?(?:me|myself)|(?:the\s+)?only\s+one|one\s+and\s+only|by\s+myself|a\s+single|single|alone|solo)\b/gi, 1],
  [/\b(?:a\s+couple(?:\s+of)?|both\s+of\s+us|two\s+of\s+us|me\s+and\s+my\s+(?:wife|husband|partner|friend|son|daughter|mom|dad|mother|father|brother|sister|girlfriend|boyfriend))\b/gi, 2],
  [/\b(?:nonstop|non-stop|direct)\b/gi, 0],
];

export function extractNumbers(doc: Doc, slotName: string, expecting: boolean): Mention[] {
  const s = doc.norm;
  const nouns = countNouns(slotName);
  const nounRe = nouns.length ? new RegExp(`^\\s*(?:more\\s+|extra\\s+|additional\\s+)?(?:${nouns.map((w) => w.replace(/ /g, '\\s+')).join('|')})s?\\b`, 'i') : null;
  const out: Mention[] = [];
  for (const m of s.matchAll(/(?<![\w$€£.,:/-])(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?(?![\w:/]|\.\d|st\b|nd\b|rd\b|th\b)/g)) {
    const ns = m.index!;
    const ne = ns + m[0].length;
    const value = Number(m[1]!.replace(/,/g, '')) + (m[2] ? Number(`0.${m[2]}`) : 0);
    if (!Number.isFinite(value)) continue;
    // Counts are whole numbers ("a rating of 4.5" is not one).
    if (m[2] && nouns.length > 0) continue;
    const after = s.slice(ne, ne + 24);
    const withNoun = nounRe !== null && nounRe.test(after);
    const span = doc.parsed.spans.find((p) => p.normStart <= ns && ne <= p.normEnd);
    const sequence = span !== undefined && span.groups.length > 1;
    let conf = withNoun ? 0.95 : expecting ? (isBareAnswer(s, ns, ne) ? 0.9 : 0.75) : 0.6;
    if (sequence) conf = Math.min(conf, 0.75);
    const [start, end] = orig(doc, ns, ne);
    out.push({ start, end, value, confidence: conf, ...(sequence ? { note: 'digit_sequence' } : {}), ...(withNoun ? {} : {}) });
  }
  // "one" kept as a word by the normaliser ("just one", "the one") counts only when it stands alone.
  for (const m of s.matchAll(/\bone\b(?!\s+(?:way|of|another|more|that|with|which|who|in|for)\b)/gi)) {
    const ns = m.index!;
    const ne = ns + 3;
    const after = s.slice(ne, ne + 24);
    const withNoun = nounRe !== null && nounRe.test(after);
    if (!withNoun && !(expecting && isBareAnswer(s, ns, ne))) continue;
    const [start, end] = orig(doc, ns, ne);
    out.push({ start, end, value: 1, confidence: withNoun ? 0.9 : 0.8 });
  }
  for (const [re, v] of WORD_COUNTS) {
    if (v === 0 && !/stop|transfer/.test(slotName)) continue;
    for (const m of s.matchAll(re)) {
      const [start, end] = orig(doc, m.index!, m.index! + m[0].length);
      if (out.some((o) => start < o.end && o.start < end)) continue;
      out.push({ start, end, value: v, confidence: 0.8 });
    }
  }
  // "5 or 6 tickets", "2 to 3 people": the first number counts the same thing as the second.
  out.sort((a, b) => a.start - b.start);
  for (let i = 0; i + 1 < out.length; i++) {
    const a = out[i]!;
    const b = out[i + 1]!;
    if (b.confidence > a.confidence && /^\s*(?:or|to|-|–|maybe|possibly|or maybe)\s*$/i.test(doc.text.slice(a.end, b.start))) a.confidence = b.confidence;
  }
  // With nouns, numbers that count something else ("2 adults and 3 kids" for number_of_adults) step aside.
  if (out.some((o) => o.confidence >= 0.9) && out.length > 1) return out.filter((o) => o.confidence >= 0.9);
  return out.sort((a, b) => a.start - b.start);
}
