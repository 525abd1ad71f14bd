import { orig, type Doc } from './text.ts';
import type { ExtractContext, Mention } from './types.ts';

/**
 * Times of day to "HH:MM": "6 pm", "6:30pm", "18:30", "half past 4 in the evening", "quarter to
 * 3", "afternoon 1:15", "2 o'clock in the afternoon", "seven thirty pm", "noon", "midnight".
 * An hour from 1 to 11 with nothing saying morning or evening ("at 4", "4:30") is ambiguous
 * (04:30 or 16:30) unless ExtractContext.bareHour is "business-hours". "HH:MM" with a two-digit
 * hour (as in "09:30" or "15:00") is read as 24-hour time.
 */

type Part = 'am' | 'pm' | 'morning' | 'afternoon' | 'evening' | 'night' | undefined;

const PART_AFTER = String.raw`(?:\s*(a\.?\s?m\.?|p\.?\s?m\.?)(?![a-z])|\s+(?:in\s+the|at|this|tonight|at\s+night)?\s*(morning|afternoon|evening|night|tonight)\b)?`;
const PART_BEFORE = String.raw`(?:\b(morning|afternoon|evening|night)\s+(?:at\s+)?)?`;

function partOf(ampm: string | undefined, word: string | undefined): Part {
  if (ampm) return ampm.toLowerCase().startsWith('a') ? 'am' : 'pm';
  if (!word) return undefined;
  const w = word.toLowerCase();
  if (w === 'tonight') return 'night';
  return w as Part;
}

function hm(h: number, m: number): string {
  return `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`;
}

/** 24-hour readings of h:m said with `part`; several when nothing settles am/pm. */
function readings(h: number, m: number, part: Part, ctx: ExtractContext, twoDigitHour: boolean): string[] | null {
  if (!Number.isInteger(h) || !Number.isInteger(m) || m < 0 || m > 59 || h < 0 || h > 24) return null;
  if (h === 24) return m === 0 ? ['00:00'] : null;
  if (h > 12 || h === 0) return part === 'am' && h > 12 ? null : [hm(h, m)];
  switch (part) {
    case 'am':
      return [hm(h === 12 ? 0 : h, m)];
    case 'morning':
      return [hm(h === 12 ? 0 : h, m)];
    case 'pm':
    case 'afternoon':
    case 'evening':
      return [hm(h === 12 ? 12 : h + 12, m)];
    case 'night':
      return [hm(h === 12 ? 0 : h >= 6 ? h + 12 : h, m)];
    default:
      if (h === 12) return [hm(12, m)];
      if (twoDigitHour) return [hm(h, m)];
      if (ctx.bareHour === 'business-hours') return [hm(h >= 7 ? h : h + 12, m)];
      return [hm(h, m), hm(h + 12, m)];
  }
}

interface Hit {
  start: number;
  end: number;
  values: string[];
  confidence: number;
}

export function extractTimes(doc: Doc, ctx: ExtractContext, expecting: boolean): Mention[] {
  const s = doc.norm;
  const hits: Hit[] = [];
  const add = (m: RegExpMatchArray, values: string[] | null, confidence: number) => {
    if (!values || values.length === 0) return;
    hits.push({ start: m.index!, end: m.index! + m[0].length, values: [...new Set(values)], confidence });
  };

  for (const m of s.matchAll(/\b(noon|midday|midnight)\b/gi)) add(m, [m[1]!.toLowerCase() === 'midnight' ? '00:00' : '12:00'], 0.95);
  // h:mm, with a part of day before or after
  for (const m of s.matchAll(new RegExp(`${PART_BEFORE}(?<![\\d:.])(\\d{1,2})[:.](\\d{2})(?![\\d:])${PART_AFTER}`, 'gi'))) {
    if (m[2]!.length === 2 && m[0].includes('.') && !m[4] && !m[5] && !m[1]) continue; // "45.99" is money
    const part = partOf(m[4], m[5] ?? m[1]);
    add(m, readings(Number(m[2]), Number(m[3]), part, ctx, m[2]!.length === 2 && m[2]!.startsWith('0') || Number(m[2]) > 12), part ? 0.95 : 0.85);
  }
  // h am/pm, h o'clock, h in the afternoon, morning h
  for (const m of s.matchAll(new RegExp(`${PART_BEFORE}(?<![\\d:.$])(\\d{1,2})(?:\\s*o\\s?['"’]?\\s?clock)?(?![\\d:])${PART_AFTER}`, 'gi'))) {
    const oclock = /clock/i.test(m[0]);
    const part = partOf(m[3], m[4] ?? m[1]);
    if (!part && !oclock) continue;
    add(m, readings(Number(m[2]), 0, part, ctx, false), part ? 0.95 : 0.8);
  }
  // "seven thirty pm" → "730 pm", "1030 am"
  for (const m of s.matchAll(new RegExp(`${PART_BEFORE}(?<![\\d:.$])(\\d{1,2})(\\d{2})(?![\\d:])${PART_AFTER}`, 'gi'))) {
    const part = partOf(m[4], m[5] ?? m[1]);
    const atCue = /\b(?:at|around|about|by|for|time\s+is|say)\s*$/i.test(s.slice(Math.max(0, m.index! - 12), m.index!));
    // Spoken "ten thirty" / "twelve forty five": two numbers side by side, an hour and minutes.
    const span = doc.parsed.spans.find((p) => p.normStart === m.index! + (m[1] ? m[0].indexOf(m[2]!) : 0));
    const spokenHm = span !== undefined && span.groups.length >= 2 && span.groups[0]!.value >= 1 && span.groups[0]!.value <= 12;
    if (!part && !(atCue && (expecting || spokenHm))) continue;
    add(m, readings(Number(m[2]), Number(m[3]), part, ctx, false), part ? 0.85 : 0.7);
  }
  // half past 4, quarter to 3, 10 past 5, 20 minutes to 6
  for (const m of s.matchAll(new RegExp(`\\b(half|quarter|\\d{1,2})(?:\\s+minutes?)?\\s+(past|after|to|till|til|before)\\s+(\\d{1,2})(?![\\d:])${PART_AFTER}`, 'gi'))) {
    const amount = m[1]!.toLowerCase() === 'half' ? 30 : m[1]!.toLowerCase() === 'quarter' ? 15 : Number(m[1]);
    if (amount >= 60) continue;
    const dir = m[2]!.toLowerCase();
    let h = Number(m[3]);
    let min = amount;
    if (dir === 'to' || dir === 'till' || dir === 'til' || dir === 'before') {
      if (m[1]!.toLowerCase() === 'half') continue;
      h = h - 1;
      min = 60 - amount;
      // "quarter to 1" is 12:45 on a 12-hour clock (am/pm decide which).
      if (h <= 0) h = 12;
    }
    add(m, readings(h, min, partOf(m[4], m[5]), ctx, false), 0.9);
  }
  // "at 4", "at 4:30" without a part of day: only when a time is being asked for or "at" says so
  for (const m of s.matchAll(/\b(?:at|around|by|about)\s+(\d{1,2})(?::(\d{2}))?(?![\d:]|\s*(?:a\.?m|p\.?m|o\s?'?clock|in\s+the|%|dollars?|bucks|percent|people|persons?|tickets?|days?|weeks?|nights?|minutes?|hours?|items?|of|th|st|nd|rd|stars?|rooms?|seats?)\b)/gi)) {
    if (!expecting && !/\bat\b/i.test(m[0])) continue;
    add(m, readings(Number(m[1]), Number(m[2] ?? 0), undefined, ctx, m[2] !== undefined && m[1]!.length === 2 && m[1]!.startsWith('0')), expecting ? 0.75 : 0.6);
  }
  if (expecting) {
    for (const m of s.matchAll(/^\s*(?:um\s+|uh\s+|maybe\s+|say\s+|let'?s\s+say\s+)?(\d{1,2})(?::(\d{2}))?\s*[.!]?\s*$/gi)) add(m, readings(Number(m[1]), Number(m[2] ?? 0), undefined, ctx, false), 0.7);
  }

  hits.sort((a, b) => b.end - b.start - (a.end - a.start) || a.start - b.start);
  const kept: Hit[] = [];
  for (const h of hits) if (!kept.some((k) => h.start < k.end && k.start < h.end)) kept.push(h);
  kept.sort((a, b) => a.start - b.start);
  return kept.map((h) => {
    const [start, end] = orig(doc, h.start, h.end);
    return h.values.length > 1 ? { start, end, confidence: h.confidence, alternatives: h.values, note: 'am_or_pm' } : { start, end, confidence: h.confidence, value: h.values[0]! };
  });
}
