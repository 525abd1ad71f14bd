import { findEmails, luhnValid } from '@cc/core';
import { cueBefore, isBareAnswer, orig, type Doc } from './text.ts';
import type { Mention } from './types.ts';

/**
 * Identifiers: ABCD order ids (10 digits), account ids (10 letters and digits), usernames
 * ("cminh730"), ZIP codes, card last four, phone numbers and emails — typed, spoken digit by
 * digit ("three three four eight …", "double five", "oh") or spelled ("J J eight X-ray G …",
 * "B as in boy").
 */

interface Chunk {
  ns: number;
  ne: number;
  digits: string;
  /** Lengths of the digit groups as written ("977-625-2661" → [3, 3, 4]). */
  groups: number[];
}

/** Runs of digits in the normalised text joined by spaces, dashes, dots or brackets ("(977) 625-2661"). */
function digitRuns(doc: Doc): Chunk[] {
  const s = doc.norm;
  const out: Chunk[] = [];
  let cur: Chunk | null = null;
  for (const m of s.matchAll(/\d+/g)) {
    const ns = m.index!;
    const ne = ns + m[0].length;
    if (cur && /^[ \t]*[-.,]?[ \t]*$|^\)[ \t]*[-.]?[ \t]*$/.test(s.slice(cur.ne, ns)) && s.slice(cur.ne, ns).length <= 4 && !/^[.,]$/.test(s.slice(cur.ne, ns))) {
      cur.ne = ne;
      cur.digits += m[0];
      cur.groups.push(m[0].length);
      continue;
    }
    if (cur) out.push(cur);
    const open = ns > 0 && s[ns - 1] === '(';
    cur = { ns: open ? ns - 1 : ns, ne, digits: m[0], groups: [m[0].length] };
  }
  if (cur) out.push(cur);
  // A run glued to letters ("A1B2") or a decimal ("45.99") is not an id.
  return out.filter((r) => !/[A-Za-z]/.test(s[r.ns - 1] ?? '') && !/[A-Za-z]/.test(s[r.ne] ?? '')).map((r) => {
    if (s[r.ne] === ')') r.ne += 1;
    return r;
  });
}

function mention(doc: Doc, ns: number, ne: number, value: string, confidence: number, note?: string): Mention {
  const [start, end] = orig(doc, ns, ne);
  return { start, end, value, confidence, ...(note ? { note } : {}) };
}

const ORDER_CUE = /\b(?:order|purchase)\s*(?:id|number|no\.?|#|num)?\s*(?:is|was|:|#)?\s*$|\border\b[^.?!]{0,20}$/i;
const PHONE_CUE = /\b(?:phone|cell|mobile|telephone|number to reach|reach me|call me|call back|callback|contact number|my number)\b/i;

export function extractOrderIds(doc: Doc, expecting: boolean, length = 10): Mention[] {
  const out: Mention[] = [];
  for (const r of digitRuns(doc)) {
    if (r.digits.length !== length) continue;
    const cued = cueBefore(doc.norm, r.ns, ORDER_CUE, 40);
    const phoneLike = r.groups.join('-') === '3-3-4' || /^\(/.test(doc.norm.slice(r.ns, r.ne)) || cueBefore(doc.norm, r.ns, PHONE_CUE, 40);
    const conf = cued ? 0.95 : expecting ? (phoneLike ? 0.6 : 0.9) : phoneLike ? 0.3 : 0.6;
    out.push(mention(doc, r.ns, r.ne, r.digits, conf));
  }
  return out;
}

export function extractPhones(doc: Doc, expecting: boolean): Mention[] {
  const out: Mention[] = [];
  for (const r of digitRuns(doc)) {
    const text = doc.norm.slice(r.ns, r.ne);
    const plus = /\+\s?$/.test(doc.norm.slice(Math.max(0, r.ns - 2), r.ns));
    const cued = cueBefore(doc.norm, r.ns, PHONE_CUE, 48);
    const shaped = /^(?:1-?)?\(?\d{3}\)?[ \t.-]*\d{3}[ \t.-]+\d{4}$/.test(text) || r.groups.join('-') === '1-3-3-4';
    const n = r.digits.length;
    const ns = plus ? doc.norm.lastIndexOf('+', r.ns) : r.ns;
    if (plus && n >= 8 && n <= 15) {
      out.push(mention(doc, ns, r.ne, `+${r.digits}`, 0.9));
    } else if (n === 10 || (n === 11 && r.digits.startsWith('1'))) {
      const e164 = `+1${r.digits.slice(-10)}`;
      const conf = cued || shaped ? 0.95 : expecting ? 0.85 : cueBefore(doc.norm, r.ns, ORDER_CUE, 40) ? 0.2 : 0.5;
      out.push(mention(doc, ns, r.ne, e164, conf));
    } else if (n === 7 && (cued || expecting)) {
      out.push(mention(doc, ns, r.ne, r.digits, 0.6, 'no_area_code'));
    }
  }
  return out;
}

export function extractZips(doc: Doc, expecting: boolean): Mention[] {
  const out: Mention[] = [];
  for (const r of digitRuns(doc)) {
    const zip = r.digits.length === 5 ? r.digits : r.digits.length === 9 && r.groups.join('-') === '5-4' ? `${r.digits.slice(0, 5)}-${r.digits.slice(5)}` : null;
    if (!zip) continue;
    const cued = cueBefore(doc.norm, r.ns, /\b(?:zip|zipcode|postal|post\s*code)\b/i, 32);
    if (!cued && !expecting) continue;
    out.push(mention(doc, r.ns, r.ne, zip, cued ? 0.95 : isBareAnswer(doc.norm, r.ns, r.ne) ? 0.85 : 0.65));
  }
  return out;
}

export function extractCardLast4(doc: Doc, expecting: boolean): Mention[] {
  const out: Mention[] = [];
  for (const r of digitRuns(doc)) {
    if (r.digits.length === 4) {
      const cued = cueBefore(doc.norm, r.ns, /\b(?:ending|ends|end)\s+(?:in|with)\b|\blast\s+(?:4|four)\b(?:\s+digits?)?|\blast\s+digits\b/i, 40);
      if (!cued && !expecting) continue;
      out.push(mention(doc, r.ns, r.ne, r.digits, cued ? 0.95 : isBareAnswer(doc.norm, r.ns, r.ne) ? 0.85 : 0.65));
    } else if (r.digits.length >= 13 && r.digits.length <= 19 && luhnValid(r.digits)) {
      // A whole card number: keep only its last four (and say so).
      out.push(mention(doc, r.ns, r.ne, r.digits.slice(-4), 0.7, 'full_card_number'));
    }
  }
  return out;
}

export function extractEmails(doc: Doc): Mention[] {
  return findEmails(doc.text).map((e) => {
    const typed = doc.text.slice(e.start, e.end).includes('@');
    return { start: e.start, end: e.end, value: e.address.toLowerCase(), confidence: typed ? 0.95 : 0.8 };
  });
}

// --- spelled sequences ---------------------------------------------------------------------------

const NATO: Record<string, string> = {
  alpha: 'a', alfa: 'a', bravo: 'b', charlie: 'c', delta: 'd', echo: 'e', foxtrot: 'f', golf: 'g', hotel: 'h', india: 'i',
  juliet: 'j', juliett: 'j', kilo: 'k', lima: 'l', mike: 'm', november: 'n', oscar: 'o', papa: 'p', quebec: 'q', romeo: 'r',
  sierra: 's', tango: 't', uniform: 'u', victor: 'v', whiskey: 'w', whisky: 'w', xray: 'x', 'x-ray': 'x', yankee: 'y', zulu: 'z',
};
const DIGIT_WORD: Record<string, string> = {
  zero: '0', oh: '0', one: '1', two: '2', three: '3', four: '4', five: '5', six: '6', seven: '7', eight: '8', nine: '9',
};
const SKIP = new Set(['capital', 'uppercase', 'upper', 'lowercase', 'lower', 'small', 'case', 'letter', 'the', 'number', 'then', 'and', 'uh', 'um']);

interface Spelled {
  value: string;
  start: number;
  end: number;
}

/**
 * Spelled-out sequences in the original text: letters, NATO words, digit words and digits,
 * "double"/"triple", "B as in boy". With `words`, ordinary words join in too ("c minh 7 3 0").
 */
export function spelledSequences(text: string, words = false, stop: ReadonlySet<string> = new Set()): Spelled[] {
  const toks = [...text.matchAll(/x-ray|[A-Za-z]+(?:['’][A-Za-z]+)?|\d+|[@._-]/gi)].map((m) => ({ t: m[0].toLowerCase(), raw: m[0], start: m.index!, end: m.index! + m[0].length }));
  const out: Spelled[] = [];
  let cur: Spelled | null = null;
  const flush = () => {
    if (cur && cur.value.length > 0) out.push(cur);
    cur = null;
  };
  for (let i = 0; i < toks.length; i++) {
    const tok = toks[i]!;
    const gap = cur ? text.slice(cur.end, tok.start) : '';
    if (cur && !/^[\s,.;:-]*$/.test(gap)) flush();
    let piece: string | null = null;
    let consumed = 0;
    const t = tok.t;
    if ((t === 'double' || t === 'triple') && toks[i + 1]) {
      const n = toks[i + 1]!.t;
      const one = n.length === 1 ? n : NATO[n] ?? DIGIT_WORD[n] ?? null;
      if (one) {
        piece = one.repeat(t === 'double' ? 2 : 3);
        consumed = 1;
      }
    } else if (t === 'as' && toks[i + 1]?.t === 'in' && toks[i + 2] && cur) {
      // "b as in boy": the letter is already there
      cur.end = toks[i + 2]!.end;
      i += 2;
      continue;
    } else if (t.length === 1 && /[a-z0-9]/.test(t)) piece = t;
    else if (/^\d+$/.test(t)) piece = t;
    else if (NATO[t]) piece = NATO[t]!;
    else if (DIGIT_WORD[t] !== undefined) piece = DIGIT_WORD[t]!;
    else if (/^[a-z]*\d[a-z0-9]*$/.test(t) || (/^[a-z0-9]+$/.test(t) && tok.raw === tok.raw.toUpperCase() && t.length >= 2 && t.length <= 12)) piece = t;
    else if (cur && SKIP.has(t)) {
      cur.end = tok.end;
      continue;
    } else if (words && /^[a-z]+$/.test(t) && t.length <= 12 && !stop.has(t)) piece = t;
    else if (words && cur && (t === '.' || t === '_' || t === '-' || t === 'dot' || t === 'underscore' || t === 'dash')) piece = t === 'dot' ? '.' : t === 'underscore' ? '_' : t === 'dash' ? '-' : t;
    if (piece === null) {
      flush();
      continue;
    }
    if (!cur) cur = { value: '', start: tok.start, end: tok.end };
    cur.value += piece;
    cur.end = toks[i + consumed]!.end;
    i += consumed;
  }
  flush();
  return out;
}

const ACCOUNT_CUE = /\b(?:account|acct)\s*(?:id|number|no\.?|#)?\s*(?:is|was|:)?\s*$/i;

export function extractAccountIds(doc: Doc, expecting: boolean, length = 10): Mention[] {
  const out: Mention[] = [];
  // Typed: "JJ8XG1BBZN", "jj8xg1bbzn"
  for (const m of doc.text.matchAll(new RegExp(`\\b[A-Za-z0-9]{${length}}\\b`, 'g'))) {
    const v = m[0];
    const cued = cueBefore(doc.text, m.index!, ACCOUNT_CUE, 30);
    const mixed = /\d/.test(v) && /[a-z]/i.test(v);
    if (!mixed && !((cued || expecting) && /^[A-Z]+$/.test(v))) continue;
    if (/^\d+$/.test(v)) continue;
    out.push({ start: m.index!, end: m.index! + v.length, value: v.toUpperCase(), confidence: cued || expecting ? 0.95 : 0.75 });
  }
  // Spelled: after a cue or when asked for
  for (const sq of spelledSequences(doc.text)) {
    if (out.some((o) => sq.start < o.end && o.start < sq.end)) continue;
    if (sq.value.length !== length || !/[a-z]/.test(sq.value)) continue;
    const cued = cueBefore(doc.text, sq.start, ACCOUNT_CUE, 30);
    if (!cued && !expecting) continue;
    out.push({ start: sq.start, end: sq.end, value: sq.value.toUpperCase(), confidence: cued ? 0.9 : 0.8 });
  }
  return out;
}

const USERNAME_CUE = /\b(?:user\s*name|username|user\s*id|login|handle)\s*(?:is|was|:)?\s*$/i;

const USERNAME_WORD_STOP = new Set([
  'is', 'it', 'its', 's', 'my', 'the', 'and', 'please', 'thanks', 'thank', 'you', 'yes', 'no', 'sure', 'ok', 'okay', 'email', 'user', 'name',
  'username', 'login', 'handle', 'id', 'was', 'that', 'thats', 'um', 'uh', 'so', 'oh', 'well', 'i', 'think', 'a', 'an', 'of', 'as', 'in',
  'yeah', 'yep', 'right', 'then', 'with', 'at', 'dot', 'com', 'all', 'lowercase', 'capital', "it's", "that's", 'it’s', "i'm", 'im',
]);
const USERNAME_STOP = new Set(['is', 'it', 'my', 'the', 'and', 'please', 'thanks', 'thank', 'you', 'yes', 'no', 'sure', 'ok', 'okay', 'email', 'user', 'name', 'username']);

export function extractUsernames(doc: Doc, expecting: boolean): Mention[] {
  const out: Mention[] = [];
  for (const m of doc.text.matchAll(/(?<![\w@.])[A-Za-z][A-Za-z0-9._-]{2,30}(?![\w@]|\.\w)/g)) {
    const v = m[0].replace(/[._-]+$/, '');
    if (USERNAME_STOP.has(v.toLowerCase())) continue;
    const cued = cueBefore(doc.text, m.index!, USERNAME_CUE, 24);
    const shaped = /^[a-z]+[._-]?\d{2,6}$/i.test(v);
    if (!cued && !shaped) continue;
    out.push({ start: m.index!, end: m.index! + v.length, value: v.toLowerCase(), confidence: cued ? 0.95 : expecting ? 0.85 : 0.5 });
  }
  if (out.length > 0) return out;
  for (const sq of spelledSequences(doc.text, true, USERNAME_WORD_STOP)) {
    const cued = cueBefore(doc.text, sq.start, USERNAME_CUE, 24);
    if (!cued && !expecting) continue;
    // Drop the cue words a sequence of words may have taken in ("username is c minh 7 3 0").
    if (!/^[a-z][a-z0-9._-]{2,30}$/.test(sq.value) || !/\d/.test(sq.value)) continue;
    out.push({ start: sq.start, end: sq.end, value: sq.value, confidence: cued ? 0.85 : 0.75 });
  }
  return out;
}

/** Digits the caller gave with nothing else in the utterance (for a bare order id read out in pieces). */
export function bareDigits(doc: Doc): string {
  return doc.norm.replace(/\D/g, '');
}
