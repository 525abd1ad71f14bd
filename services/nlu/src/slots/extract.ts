import { extractAmounts } from './amounts.ts';
import { extractCategorical } from './categorical.ts';
import { extractDates } from './dates.ts';
import { extractAccountIds, extractCardLast4, extractEmails, extractOrderIds, extractPhones, extractUsernames, extractZips } from './ids.ts';
import { extractNumbers } from './numbers.ts';
import { CORRECTION_RE, makeDoc, overlaps, type Doc } from './text.ts';
import { extractTimes } from './times.ts';
import type { ExtractContext, ExtractResult, Mention, SlotCandidate, SlotKind, SlotResult, SlotSpec, SlotValue } from './types.ts';
import { extractYesNo } from './yesno.ts';

/**
 * The kind of a slot from its name (SGD and ABCD names: "amount", "departure_date",
 * "pickup_time", "number_of_tickets", "order_id", "zip_code", "phone_number", …) and values.
 */
export function slotKindFor(name: string, values?: readonly string[]): SlotKind {
  const n = name.toLowerCase();
  if (/order_?(?:id|number|no)/.test(n)) return 'order_id';
  if (/account_?(?:id|number|no)/.test(n)) return 'account_id';
  if (/user_?name|login/.test(n)) return 'username';
  if (/e_?mail/.test(n)) return 'email';
  if (/last_?4|last_?four|card_?ending|ending_?digits/.test(n)) return 'card_last4';
  if (/phone|mobile|cell|callback_?number|contact_?number/.test(n)) return 'phone';
  if (/zip|postal|post_?code/.test(n)) return 'zip';
  if (/(?:^|_)(?:amount|price|fare|balance|rent|cost|fee|refund|total)(?:_|$)|price_per|_fare$/.test(n)) return 'amount';
  if (/(?:^|_)date$|^date(?:_|$)|_day$|(?:^|_)dob$|birthday/.test(n)) return 'date';
  if (/(?:^|_)time$/.test(n) && !/wait_time|duration/.test(n)) return 'time';
  if (values && values.length > 0) {
    if (values.every((v) => /^(?:true|false)$/i.test(v))) return 'yes_no';
    if (values.every((v) => /^\d+$/.test(v))) return 'number';
    return 'categorical';
  }
  if (/^(?:is_|has_|confirm|affirm|agree|yes_?no|accept|wants?_)/.test(n)) return 'yes_no';
  if (/^number$|^quantity$|number_of|^num_|_count$|^count|group_size|party_size|travell?ers|passengers|quantity|riders|seats|tickets|^days$|stops|transfers|adults|children|guests/.test(n)) return 'number';
  return 'text';
}

interface Work {
  spec: SlotSpec;
  kind: SlotKind;
  expecting: boolean;
  mentions: (Mention & { contested?: string })[];
}

function key(v: SlotValue | undefined): string {
  return JSON.stringify(v);
}

function mentionsFor(doc: Doc, spec: SlotSpec, kind: SlotKind, expecting: boolean, ctx: ExtractContext): Mention[] {
  switch (kind) {
    case 'order_id':
      return extractOrderIds(doc, expecting, spec.length ?? 10);
    case 'account_id':
      return extractAccountIds(doc, expecting, spec.length ?? 10);
    case 'username':
      return extractUsernames(doc, expecting);
    case 'email':
      return extractEmails(doc);
    case 'phone':
      return extractPhones(doc, expecting);
    case 'zip':
      return extractZips(doc, expecting);
    case 'card_last4':
      return extractCardLast4(doc, expecting);
    case 'amount':
      return extractAmounts(doc, ctx, expecting);
    case 'date':
      return extractDates(doc, ctx);
    case 'time':
      return extractTimes(doc, ctx, expecting);
    case 'number': {
      const ms = extractNumbers(doc, spec.name, expecting);
      if (spec.values && spec.values.length > 0) {
        const allowed = new Set(spec.values.map(String));
        return ms.map((m) => (allowed.has(String(m.value)) ? { ...m, value: String(m.value) } : { ...m, confidence: m.confidence * 0.5, value: String(m.value), note: 'not_a_listed_value' }));
      }
      return ms;
    }
    case 'yes_no': {
      const ms = extractYesNo(doc.text);
      if (spec.values && spec.values.length > 0) {
        const t = spec.values.find((v) => /^true$/i.test(v)) ?? 'True';
        const f = spec.values.find((v) => /^false$/i.test(v)) ?? 'False';
        return ms.map((m) => (typeof m.value === 'boolean' ? { ...m, value: m.value ? t : f } : m));
      }
      return ms;
    }
    case 'categorical':
      return extractCategorical(doc.text, spec.values ?? []);
    case 'text':
      return [];
  }
}

/** Spans other kinds claim firmly; a weak bare-number reading inside one steps aside. */
function firmSpans(doc: Doc, ctx: ExtractContext): { kind: SlotKind; start: number; end: number }[] {
  const out: { kind: SlotKind; start: number; end: number }[] = [];
  const firm = (kind: SlotKind, ms: Mention[]) => {
    for (const m of ms) if (m.confidence >= 0.85) out.push({ kind, start: m.start, end: m.end });
  };
  if (/\d/.test(doc.norm)) {
    firm('date', extractDates(doc, ctx));
    firm('time', extractTimes(doc, ctx, false));
    firm('phone', extractPhones(doc, false));
    firm('amount', extractAmounts(doc, ctx, false));
  }
  if (/@|\bat\b/i.test(doc.text)) firm('email', extractEmails(doc));
  return out;
}

const NUMBERISH: ReadonlySet<SlotKind> = new Set(['number', 'amount', 'zip', 'card_last4', 'order_id', 'phone', 'time', 'date', 'account_id', 'username']);

const NEGATED_BEFORE = /\b(?:not|n't|instead\s+of|rather\s+than|except)\s+(?:(?:on|by|for|at|until|till|before|after|from|with|to)\s+)?(?:the\s+)?$/i;

function resolve(text: string, w: Work): SlotResult {
  const base = { name: w.spec.name, kind: w.kind };
  const cand = (m: Mention, value: SlotValue): SlotCandidate => ({
    value,
    start: m.start,
    end: m.end,
    text: text.slice(m.start, m.end),
    confidence: m.confidence,
    ...(m.note ? { note: m.note } : {}),
  });
  let ms = [...w.mentions].sort((a, b) => a.start - b.start);
  if (ms.length === 0) return { ...base, status: 'missing', confidence: 0, candidates: [] };
  // "on the 12th and not tomorrow", "instead of 3": a value the caller rules out does not count.
  if (ms.length > 1) {
    const kept = ms.filter((m) => !NEGATED_BEFORE.test(text.slice(Math.max(0, m.start - 24), m.start)));
    if (kept.length > 0) ms = kept;
  }
  // One mention with several readings and another mention that settles it ("for the weekend … Saturday this week").
  if (ms.length > 1) {
    const single = new Set(ms.filter((m) => !m.vague && !m.alternatives).map((m) => key(m.value)));
    const settled = ms.filter((m) => !(m.alternatives && m.alternatives.some((a) => single.has(key(a)))) && !(m.vague && single.size > 0));
    if (settled.length > 0) ms = settled;
  }
  let valued = ms.filter((m) => !m.vague);
  if (valued.length === 0) {
    const v = ms[0]!;
    return { ...base, status: 'ambiguous', confidence: v.confidence, start: v.start, end: v.end, candidates: [], reason: `vague: ${v.vague}` };
  }
  let multi = valued.filter((m) => m.alternatives && m.alternatives.length > 1);
  // A sure single value beats a weak mention with several readings ("for 1 person … 2:15 in the afternoon").
  const sure = valued.filter((m) => !m.alternatives);
  if (multi.length > 0 && sure.length > 0 && Math.max(...sure.map((m) => m.confidence)) >= Math.max(...multi.map((m) => m.confidence)) + 0.2) multi = [];

  if (multi.length > 0) {
    const m = multi[multi.length - 1]!;
    return {
      ...base,
      status: 'ambiguous',
      confidence: m.confidence,
      start: m.start,
      end: m.end,
      candidates: m.alternatives!.map((a) => cand(m, a)),
      reason: m.note ?? 'several readings',
    };
  }
  valued = valued.filter((m) => !m.alternatives);
  const distinct = new Map<string, (typeof valued)[number]>();
  for (const m of valued) {
    const k = key(m.value);
    const prev = distinct.get(k);
    if (!prev || m.confidence > prev.confidence) distinct.set(k, m);
  }
  const filled = (m: (typeof valued)[number], extra: Partial<SlotResult> = {}): SlotResult => {
    if (m.contested) {
      return { ...base, status: 'ambiguous', confidence: m.confidence, start: m.start, end: m.end, candidates: [cand(m, m.value!)], reason: `could also be ${m.contested}` };
    }
    return { ...base, status: 'filled', value: m.value!, confidence: m.confidence, start: m.start, end: m.end, candidates: [cand(m, m.value!)], ...extra };
  };
  if (distinct.size === 1) {
    const best = [...distinct.values()][0]!;
    const conf = Math.min(0.99, best.confidence + 0.02 * (valued.length - 1));
    return filled({ ...best, confidence: conf });
  }
  // Several different values: a correction says which; a much surer one wins; otherwise a conflict.
  const byTime = [...valued].sort((a, b) => a.start - b.start);
  const last = byTime[byTime.length - 1]!;
  const prevDifferent = [...byTime].reverse().find((m) => key(m.value) !== key(last.value))!;
  if (CORRECTION_RE.test(text.slice(prevDifferent.end, last.start))) return filled(last, { reason: 'corrected' });
  const ranked = [...distinct.values()].sort((a, b) => b.confidence - a.confidence);
  if (ranked[0]!.confidence >= ranked[1]!.confidence + 0.3) return filled(ranked[0]!);
  return {
    ...base,
    status: 'conflict',
    confidence: Math.max(...ranked.map((m) => m.confidence)),
    candidates: ranked.map((m) => cand(m, m.value!)),
    reason: 'different values',
  };
}

/**
 * Values for the `wanted` slots in one utterance. Each result says filled (one value), missing,
 * ambiguous (one mention with several readings, a vague answer, or a value another wanted slot
 * claims as much) or conflict (different values with nothing saying which one holds); the
 * candidates carry offsets in `text` and a confidence. A value never gets guessed: ambiguous and
 * conflicting results have no `value`. Never throws.
 */
export function extractSlots(text: string, wanted: readonly SlotSpec[], ctx: ExtractContext = {}): ExtractResult {
  const t = typeof text === 'string' ? text : '';
  let doc: Doc;
  try {
    doc = makeDoc(t);
  } catch {
    doc = { text: t, norm: t, parsed: { original: t, text: t, spans: [], toOriginal: (s: number, e: number) => [s, e] } };
  }
  const works: Work[] = [];
  for (const spec of wanted ?? []) {
    const kind = spec.kind ?? slotKindFor(spec.name, spec.values);
    const expecting = ctx.expecting !== undefined && ctx.expecting === spec.name;
    let mentions: Mention[] = [];
    try {
      mentions = mentionsFor(doc, spec, kind, expecting, ctx);
    } catch {
      mentions = [];
    }
    works.push({ spec, kind, expecting, mentions });
  }
  // Weak number readings inside a date, time, phone, amount or email step aside.
  if (works.some((w) => NUMBERISH.has(w.kind))) {
    let firm: ReturnType<typeof firmSpans> = [];
    try {
      firm = firmSpans(doc, ctx);
    } catch {
      firm = [];
    }
    for (const w of works) {
      if (!NUMBERISH.has(w.kind)) continue;
      const together = (a: SlotKind, b: SlotKind) => a === b || (a === 'time' && b === 'date') || (a === 'date' && b === 'time');
      w.mentions = w.mentions.filter((m) => m.confidence >= 0.9 || !firm.some((f) => !together(f.kind, w.kind) && overlaps(f, m)));
    }
  }
  // Two wanted slots reading the same words: the surer one keeps them; as sure: both ambiguous.
  for (let i = 0; i < works.length; i++) {
    for (let j = i + 1; j < works.length; j++) {
      const a = works[i]!;
      const b = works[j]!;
      if (a.kind === b.kind && a.kind !== 'yes_no') continue;
      for (const ma of a.mentions) {
        for (const mb of b.mentions) {
          if (!overlaps(ma, mb) || ma.vague || mb.vague) continue;
          const ca = ma.confidence + (a.expecting ? 0.15 : 0);
          const cb = mb.confidence + (b.expecting ? 0.15 : 0);
          if (ca >= cb + 0.2) mb.confidence = -1;
          else if (cb >= ca + 0.2) ma.confidence = -1;
          else {
            ma.contested = b.spec.name;
            mb.contested = a.spec.name;
          }
        }
      }
    }
  }
  const slots: Record<string, SlotResult> = {};
  for (const w of works) {
    w.mentions = w.mentions.filter((m) => m.confidence >= 0);
    slots[w.spec.name] = resolve(t, w);
  }
  return { slots, normalised: doc.norm };
}
