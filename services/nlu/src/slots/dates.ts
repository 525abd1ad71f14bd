import { orig, type Doc } from './text.ts';
import type { ExtractContext, Mention } from './types.ts';

/**
 * Dates, relative ("today", "tomorrow", "next Friday", "Tuesday next week", "in 3 days", "the
 * 5th", "the 13th of this month") and absolute ("March 5th", "the fifth of March 2024", "3/5",
 * "2024-03-05"), to ISO dates counted from the reference date's calendar day in the caller's time
 * zone. A week runs Monday to Sunday. "next <weekday>" when that weekday is still to come this
 * week is ambiguous (this week's or the following one) unless ExtractContext.nextWeekday says.
 * Vague answers ("next week", "sometime next month") come back as vague mentions.
 */

export interface Ymd {
  y: number;
  m: number;
  d: number;
}

const MONTHS: Record<string, number> = {
  january: 1, jan: 1, february: 2, feb: 2, march: 3, mar: 3, april: 4, apr: 4, may: 5, june: 6, jun: 6, july: 7, jul: 7,
  august: 8, aug: 8, september: 9, sep: 9, sept: 9, october: 10, oct: 10, november: 11, nov: 11, december: 12, dec: 12,
};
const WEEKDAYS: Record<string, number> = {
  monday: 0, mon: 0, tuesday: 1, tues: 1, tue: 1, wednesday: 2, weds: 2, wed: 2, thursday: 3, thurs: 3, thu: 3, friday: 4, fri: 4,
  saturday: 5, sat: 5, sunday: 6, sun: 6,
};
const MONTH_RE = '(january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)\\.?';
const WD_RE = '(monday|tuesday|wednesday|thursday|friday|saturday|sunday|tues|weds|thurs)';

export function toIso(x: Ymd): string {
  return `${String(x.y).padStart(4, '0')}-${String(x.m).padStart(2, '0')}-${String(x.d).padStart(2, '0')}`;
}

function utc(x: Ymd): Date {
  return new Date(Date.UTC(x.y, x.m - 1, x.d, 12));
}

function fromDate(d: Date): Ymd {
  return { y: d.getUTCFullYear(), m: d.getUTCMonth() + 1, d: d.getUTCDate() };
}

export function addDays(x: Ymd, n: number): Ymd {
  const d = utc(x);
  d.setUTCDate(d.getUTCDate() + n);
  return fromDate(d);
}

/** Monday = 0 … Sunday = 6. */
export function weekday(x: Ymd): number {
  return (utc(x).getUTCDay() + 6) % 7;
}

export function validYmd(y: number, m: number, d: number): boolean {
  if (!Number.isInteger(y) || !Number.isInteger(m) || !Number.isInteger(d) || m < 1 || m > 12 || d < 1 || d > 31) return false;
  const t = new Date(Date.UTC(y, m - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
}

function cmp(a: Ymd, b: Ymd): number {
  return a.y - b.y || a.m - b.m || a.d - b.d;
}

/** The calendar day of `ref` in `timeZone` (UTC when the zone is unknown). */
export function todayIn(ref: Date, timeZone = 'UTC'): Ymd {
  const at = Number.isNaN(ref.getTime()) ? new Date() : ref;
  let s: string;
  try {
    s = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
  } catch {
    s = new Intl.DateTimeFormat('en-CA', { timeZone: 'UTC', year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
  }
  const m = /(\d{4})-(\d{2})-(\d{2})/.exec(s);
  if (!m) return fromDate(at);
  return { y: Number(m[1]), m: Number(m[2]), d: Number(m[3]) };
}

export function referenceDay(ctx: ExtractContext): Ymd {
  const r = ctx.referenceDate;
  const date = r === undefined ? new Date() : r instanceof Date ? r : /^\d{4}-\d{2}-\d{2}$/.test(String(r)) ? new Date(`${String(r)}T12:00:00Z`) : new Date(r);
  // A bare "YYYY-MM-DD" is that calendar day wherever the caller is.
  if (typeof r === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(r)) {
    const [y, m, d] = r.split('-').map(Number) as [number, number, number];
    if (validYmd(y, m, d)) return { y, m, d };
  }
  return todayIn(date, ctx.timeZone ?? 'UTC');
}

/** Month/day without a year: the next one on or after today (future) or the last one on or before (past). */
function withYear(today: Ymd, m: number, d: number, bias: 'future' | 'past'): Ymd | null {
  for (const dy of bias === 'future' ? [0, 1, 2, 3, 4] : [0, -1, -2, -3, -4]) {
    const y = today.y + dy;
    if (!validYmd(y, m, d)) continue;
    const c = { y, m, d };
    if (bias === 'future' ? cmp(c, today) >= 0 : cmp(c, today) <= 0) return c;
  }
  return null;
}

function dayOfMonth(today: Ymd, d: number, which: 'this' | 'next' | 'auto', bias: 'future' | 'past'): Ymd | null {
  if (which === 'this') return validYmd(today.y, today.m, d) ? { y: today.y, m: today.m, d } : null;
  if (which === 'next') {
    const n = addDays({ y: today.y, m: today.m, d: 1 }, 32);
    return validYmd(n.y, n.m, d) ? { y: n.y, m: n.m, d } : null;
  }
  let cur = { y: today.y, m: today.m, d: 1 };
  for (let i = 0; i < 3; i++) {
    if (validYmd(cur.y, cur.m, d)) {
      const c = { y: cur.y, m: cur.m, d };
      if (bias === 'future' ? cmp(c, today) >= 0 : cmp(c, today) <= 0) return c;
    }
    cur = bias === 'future' ? addDays({ ...cur, d: 1 }, 32) : addDays({ ...cur, d: 1 }, -1);
    cur = { y: cur.y, m: cur.m, d: 1 };
  }
  return null;
}

function year(s: string | undefined): number | undefined {
  if (!s) return undefined;
  const n = Number(s);
  if (s.length === 2) return 2000 + n;
  return n >= 1900 && n <= 2200 ? n : undefined;
}

interface Hit {
  start: number;
  end: number;
  values: Ymd[];
  confidence: number;
  vague?: string;
  note?: string;
}

export function extractDates(doc: Doc, ctx: ExtractContext): Mention[] {
  const s = doc.norm;
  const today = referenceDay(ctx);
  const bias = ctx.dateBias ?? 'future';
  const policy = ctx.nextWeekday ?? 'ambiguous';
  const hits: Hit[] = [];
  const add = (m: RegExpMatchArray, values: (Ymd | null)[], confidence: number, extra: Partial<Hit> = {}) => {
    const ok = values.filter((v): v is Ymd => v !== null);
    if (ok.length === 0 && !extra.vague) return;
    hits.push({ start: m.index!, end: m.index! + m[0].length, values: ok, confidence, ...extra });
  };

  // ISO and numeric dates
  for (const m of s.matchAll(/(?<![\d/.-])(\d{4})-(\d{1,2})-(\d{1,2})(?![\d-])/g)) {
    const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
    if (validYmd(y, mo, d)) add(m, [{ y, m: mo, d }], 0.95);
  }
  for (const m of s.matchAll(/(?<![\d/.:,$-])(\d{1,2})\/(\d{1,2})(?:\/(\d{4}|\d{2}))?(?![\d/])|(?<![\d/.:,$-])(\d{1,2})([.-])(\d{1,2})\5(\d{4}|\d{2})(?![\d.-])/g)) {
    const a = Number(m[1] ?? m[4]);
    const b = Number(m[2] ?? m[6]);
    const y = year(m[3] ?? m[7]);
    const [mo, d] = (ctx.dateOrder ?? 'MDY') === 'MDY' ? [a, b] : [b, a];
    if (y !== undefined) {
      if (validYmd(y, mo, d)) add(m, [{ y, m: mo, d }], 0.9);
    } else {
      const v = validYmd(2000, mo, d) ? withYear(today, mo, d, bias) : null;
      add(m, [v], 0.8);
    }
  }

  // Month names: "March 5th", "march the 5th, 2024", "5th of March", "the 5 march"
  const md = new RegExp(`\\b${MONTH_RE}\\s+(?:the\\s+)?(\\d{1,2})(?:st|nd|rd|th)?(?!\\d)(?:,?\\s*(?:of\\s+)?(\\d{4}))?(?![\\d:])`, 'gi');
  for (const m of s.matchAll(md)) {
    const mo = MONTHS[m[1]!.toLowerCase()]!;
    const d = Number(m[2]);
    const y = year(m[3]);
    if (m[1]!.toLowerCase() === 'may' && !/\d(?:st|nd|rd|th)|\d{4}/.test(m[0]) && /\bmay\s+\d+\s+(?:people|tickets?|of|be)\b/i.test(s.slice(m.index!, m.index! + 30))) continue;
    add(m, [y !== undefined ? (validYmd(y, mo, d) ? { y, m: mo, d } : null) : withYear(today, mo, d, bias)], 0.95);
  }
  const dm = new RegExp(`\\b(?:the\\s+)?(\\d{1,2})(?:st|nd|rd|th)?\\s+(?:of\\s+)?${MONTH_RE}(?![a-z])(?:,?\\s*(?:of\\s+)?(\\d{4}))?(?![\\d:])`, 'gi');
  for (const m of s.matchAll(dm)) {
    const d = Number(m[1]);
    const mo = MONTHS[m[2]!.toLowerCase()]!;
    const y = year(m[3]);
    if (m[2]!.toLowerCase() === 'may' && !/(?:st|nd|rd|th|of)\s/.test(m[0])) continue;
    add(m, [y !== undefined ? (validYmd(y, mo, d) ? { y, m: mo, d } : null) : withYear(today, mo, d, bias)], 0.95);
  }
  // "the 13th of this month", "the 2nd of next month", "the 5th", "on the 11th"
  for (const m of s.matchAll(/\b(?:(?:on|by|for|until|till)\s+)?(the\s+)?(\d{1,2})(st|nd|rd|th)(?:\s+day)?(?:\s+of\s+(?:the\s+)?(this|next|the)\s+month|\s+of\s+the\s+month)?\b(?!\s+(?:floor|time|grade|place|century|anniversary|row|street|st|avenue|ave|road|rd|birthday|call|attempt|try|one|item|order|person|people|day|week|month|year|flight|leg|part|trip|option|choice|stop|ticket|room|bedroom|bathroom|seat|class|half|quarter|round|step|payment|installment|line|level|page|question|thing|position|priority|person|car|hotel|place|restaurant|result|show|movie|song|album|song)s?\b)/gi)) {
    const d = Number(m[2]);
    const which = m[4] && m[4].toLowerCase() !== 'the' ? (m[4].toLowerCase() as 'this' | 'next') : /of\s+the\s+month/i.test(m[0]) ? 'this' : 'auto';
    const conf = m[4] ? 0.95 : m[1] || /^(?:on|by|for|until|till)\s/i.test(m[0]) ? 0.85 : 0.6;
    add(m, [dayOfMonth(today, d, which, bias)], conf);
  }

  // Relative days
  const rel: [RegExp, number][] = [
    [/\b(?:the\s+)?day\s+after\s+tomorrow\b/gi, 2],
    [/\b(?:the\s+)?day\s+before\s+yesterday\b/gi, -2],
    [/\b(?:later\s+)?today\b|\btonight\b|\bthis\s+(?:morning|afternoon|evening)\b/gi, 0],
    [/\btomorrow\b|\btmrw\b|\btomorow\b/gi, 1],
    [/\byesterday\b/gi, -1],
  ];
  for (const [re, n] of rel) for (const m of s.matchAll(re)) add(m, [addDays(today, n)], 0.95);
  for (const m of s.matchAll(/\b(?:in\s+(\d+|a|an|one)\s+(day|week)s?(?:\s+(?:from\s+(?:now|today)|time))?|(\d+|a|an|one)\s+(day|week)s?\s+from\s+(now|today|tomorrow)|(\d+|a|an|one)\s+(day|week)s?\s+ago)\b/gi)) {
    const raw = m[1] ?? m[3] ?? m[6]!;
    const n = /^\d+$/.test(raw) ? Number(raw) : 1;
    const unit = (m[2] ?? m[4] ?? m[7]!).toLowerCase() === 'week' ? 7 : 1;
    const base = m[5]?.toLowerCase() === 'tomorrow' ? 1 : 0;
    add(m, [addDays(today, (m[6] ? -1 : 1) * n * unit + base)], 0.9);
  }

  // Weekdays
  const r = weekday(today);
  const monday = addDays(today, -r);
  const wdA = new RegExp(`\\b(?:(this\\s+coming|coming|this|next|last|on|past)\\s+)?${WD_RE}\\b(?:\\s+(this|next|last)\\s+week\\b|\\s+(after\\s+next)\\b|\\s+(of\\s+)?(this|next|last)\\s+week\\b)?`, 'gi');
  for (const m of s.matchAll(wdA)) {
    const mod = (m[1] ?? '').toLowerCase().replace(/\s+/g, ' ');
    const w = WEEKDAYS[m[2]!.toLowerCase()]!;
    const week = (m[3] ?? m[6] ?? '').toLowerCase();
    if (week === 'this') add(m, [addDays(monday, w)], 0.95);
    else if (week === 'next') add(m, [addDays(monday, 7 + w)], 0.95);
    else if (week === 'last') add(m, [addDays(monday, -7 + w)], 0.95);
    else if (m[4]) add(m, [addDays(monday, 14 + w)], 0.9);
    else if (mod === 'next') {
      if (w > r) {
        const a = addDays(today, w - r);
        const b = addDays(a, 7);
        if (policy === 'upcoming') add(m, [a], 0.8);
        else if (policy === 'following') add(m, [b], 0.8);
        else add(m, [a, b], 0.8, { note: 'next_weekday_this_week' });
      } else add(m, [addDays(today, (w - r + 7) % 7 || 7)], 0.9);
    } else if (mod === 'last' || mod === 'past') add(m, [addDays(today, -((r - w + 7) % 7 || 7))], 0.9);
    else if (bias === 'past' && mod !== 'coming' && mod !== 'this coming') add(m, [addDays(today, -((r - w + 7) % 7))], 0.85);
    else {
      const delta = (w - r + 7) % 7;
      add(m, [addDays(today, mod.includes('coming') && delta === 0 ? 7 : delta)], mod ? 0.9 : 0.85);
    }
  }
  const wdB = new RegExp(`\\b(this|next|last)\\s+week\\s+(?:on\\s+)?${WD_RE}\\b`, 'gi');
  for (const m of s.matchAll(wdB)) {
    const k = m[1]!.toLowerCase();
    const w = WEEKDAYS[m[2]!.toLowerCase()]!;
    add(m, [addDays(monday, (k === 'next' ? 7 : k === 'last' ? -7 : 0) + w)], 0.95);
  }
  // Weekends and vague answers
  for (const m of s.matchAll(/\b(this|next)\s+weekend\b|\bon\s+the\s+weekend\b|\bweekend\b/gi)) {
    const next = m[1]?.toLowerCase() === 'next';
    const sat = addDays(monday, (next ? 7 : 0) + 5);
    const effectiveSat = !next && r === 6 ? addDays(sat, 7) : sat;
    add(m, [effectiveSat, addDays(effectiveSat, 1)], 0.7, { note: 'weekend' });
  }
  for (const m of s.matchAll(/\b(?:(?:some\s*time|early|late|later)\s+)?(?:(?:this|next|last)\s+(?:week|month|year)|in\s+a\s+(?:few|couple(?:\s+of)?)\s+(?:days|weeks)|soon|as\s+soon\s+as\s+possible|asap|whenever|any\s*time|any\s+day|later\s+this\s+week)\b/gi)) {
    add(m, [], 0.5, { vague: m[0].toLowerCase() });
  }

  // Longest hit wins where hits overlap.
  hits.sort((a, b) => b.end - b.start - (a.end - a.start) || a.start - b.start);
  const kept: Hit[] = [];
  for (const h of hits) if (!kept.some((k) => h.start < k.end && k.start < h.end)) kept.push(h);
  kept.sort((a, b) => a.start - b.start);
  return kept.map((h) => {
    const [start, end] = orig(doc, h.start, h.end);
    const uniq = [...new Set(h.values.map(toIso))];
    if (h.vague) return { start, end, confidence: h.confidence, vague: h.vague };
    if (uniq.length > 1) return { start, end, confidence: h.confidence, alternatives: uniq, ...(h.note ? { note: h.note } : {}) };
    return { start, end, confidence: h.confidence, value: uniq[0]!, ...(h.note ? { note: h.note } : {}) };
  });
}
