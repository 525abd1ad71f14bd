import type { Redactor, SlotValue } from './ports.ts';

/** Small deterministic text rules the engine applies before and around the NLU. */

export type InputProblem = 'no_input' | 'too_long' | 'unsupported_language' | 'not_understood' | 'low_asr_confidence';

export interface InputCheck {
  text: string;
  problem: InputProblem | null;
}

const FOREIGN_STOPWORDS = new Set(
  // Spanish, French, German, Portuguese, Italian function words that are not English words.
  'quiero necesito hola gracias por favor cuenta dinero mi tengo para una los las del que es está je veux bonjour merci mon compte argent avec pour une les des est suis ich möchte bitte danke mein konto geld und nicht ist eine der die das obrigado olá minha não quero voglio grazie il mio conto soldi sono'.split(
    ' ',
  ),
);
const ENGLISH_STOPWORDS = new Set(
  'i me my you your the a an to of and or is are am was be do does did can could would will want need like please help with for on in it this that what how when where why yes no not my account money transfer order hi hello'.split(' '),
);

/**
 * Normalise an utterance and say what is wrong with it, if anything. DTMF digits stand in for
 * text when nothing was said.
 */
export function checkInput(raw: unknown, dtmf: string | undefined, asrConfidence: number | undefined, opts: { maxChars: number; minAsrConfidence: number }): InputCheck {
  const said = typeof raw === 'string' ? raw.replace(/[\u0000-\u001f\u007f]+/g, ' ').replace(/\s+/g, ' ').trim() : '';
  const keys = typeof dtmf === 'string' ? dtmf.replace(/[^0-9*#]/g, '') : '';
  const text = said || keys;
  if (!text) return { text: '', problem: 'no_input' };
  if (text.length > opts.maxChars) return { text: text.slice(0, opts.maxChars), problem: 'too_long' };
  if (said && typeof asrConfidence === 'number' && Number.isFinite(asrConfidence) && asrConfidence < opts.minAsrConfidence) return { text, problem: 'low_asr_confidence' };
  const letters = [...text].filter((c) => /\p{L}/u.test(c));
  const latin = letters.filter((c) => /[a-z\u00c0-\u024f]/i.test(c));
  if (letters.length >= 3 && latin.length / letters.length < 0.5) return { text, problem: 'unsupported_language' };
  const words = text.toLowerCase().match(/[\p{L}']+/gu) ?? [];
  const foreign = words.filter((w) => FOREIGN_STOPWORDS.has(w)).length;
  const english = words.filter((w) => ENGLISH_STOPWORDS.has(w)).length;
  if (foreign >= 2 && english === 0) return { text, problem: 'unsupported_language' };
  if (!/[\p{L}\p{N}]/u.test(text)) return { text, problem: 'not_understood' };
  // Keyboard mash: long words without vowels, or the same character repeated.
  const junk = words.filter((w) => (w.length >= 5 && !/[aeiouy]/.test(w)) || /(.)\1{3,}/.test(w));
  if (words.length > 0 && junk.length / words.length > 0.5) return { text, problem: 'not_understood' };
  return { text, problem: null };
}

const YES = /\b(yes|yeah|yep|yup|sure|correct|right|affirmative|absolutely|definitely|certainly|ok|okay|please do|go ahead|do it|sounds good|that'?s (it|right|correct)|confirm(ed)?)\b/i;
const NO = /\b(no|nope|nah|not|don'?t|do not|cancel|wrong|incorrect|stop|negative|never ?mind)\b/i;

/** yes / no / null (neither or both). DTMF 1 = yes, 2 = no. */
export function yesNo(text: string, dtmf?: string): 'yes' | 'no' | null {
  const keys = (dtmf ?? '').replace(/[^0-9]/g, '');
  if (!text.trim() || /^[0-9*#]+$/.test(text.trim())) {
    if (keys === '1' || text.trim() === '1') return 'yes';
    if (keys === '2' || text.trim() === '2') return 'no';
  }
  const y = YES.test(text);
  // "not sure" is neither.
  if (/\bnot sure\b|\bdon'?t know\b/i.test(text)) return null;
  const n = NO.test(text);
  if (y && !n) return 'yes';
  if (n && !y) return 'no';
  // "no, that's right" / "yes, no problem": the first one said wins when both appear.
  if (y && n) {
    const yi = text.search(YES);
    const ni = text.search(NO);
    if (/\bno problem\b/i.test(text)) return 'yes';
    return yi < ni ? 'yes' : 'no';
  }
  return null;
}

const PERSON = '(human|person|agent|representative|rep|operator|someone|somebody|supervisor|manager|customer service|real person|live person|people)';

/** The caller explicitly asks for a person. DTMF 0 counts. */
export function wantsHuman(text: string, dtmf?: string): boolean {
  if ((dtmf ?? '').replace(/[^0-9]/g, '') === '0') return true;
  const t = text.toLowerCase();
  if (new RegExp(`^\\s*(an? |the )?(${PERSON.slice(1, -1)})\\s*(please)?[.!?]*\\s*$`).test(t)) return true;
  if (new RegExp(`\\b(speak|talk|connect|put|transfer|get|give)\\b[^.?!]{0,30}\\b${PERSON}\\b`).test(t) && !/\btransfer (money|funds|\$|\d)/.test(t)) return true;
  if (/\b(real|live|actual) (person|human|agent)\b/.test(t)) return true;
  return false;
}

/** Spoken form of a slot value: money as "$250.00" / "250 EUR", booleans as yes/no. */
export function speakValue(value: SlotValue | undefined): string {
  if (value === undefined) return 'not given';
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'number') return String(value);
  if (typeof value === 'object') {
    const amount = Number.isInteger(value.amount) ? String(value.amount) : value.amount.toFixed(2);
    return value.currency === 'USD' ? `$${amount}` : `${amount} ${value.currency}`;
  }
  if (value === 'dontcare') return 'any';
  return value;
}

/** Fill `{slot}` placeholders. */
export function fillTemplate(template: string, slots: Record<string, SlotValue>): string {
  return template.replace(/\{([a-z0-9_]+)\}/gi, (_, name: string) => speakValue(slots[name]));
}

export function sameValue(a: SlotValue, b: SlotValue): boolean {
  if (typeof a === 'object' && typeof b === 'object') return a.amount === b.amount && a.currency === b.currency;
  if (typeof a === 'string' && typeof b === 'string') return a.trim().toLowerCase() === b.trim().toLowerCase();
  return a === b;
}

const FILLERS = /^(um+|uh+|er+|well|so|ok(ay)?|yes|yeah|it'?s|it is|i'?d like|i want|please|to|the|my|for|from|name is|call(ed)?)\b[\s,]*/i;

/**
 * A free-text slot answer ("To Abhinav, please." → "Abhinav") when the extractor has nothing for
 * a non-categorical slot it was asked for; null when the reply does not look like a short answer.
 */
export function freeTextAnswer(text: string): string | null {
  let t = text.trim().replace(/[.!?]+$/, '');
  for (let i = 0; i < 6; i++) {
    const next = t.replace(FILLERS, '').trim();
    if (next === t) break;
    t = next;
  }
  t = t.replace(/[\s,]*(please|thanks|thank you)$/i, '').trim();
  if (!t || t.split(/\s+/).length > 6 || !/\p{L}/u.test(t)) return null;
  if (/\b(what|why|how|who|when|where|which)\b/i.test(t) || text.includes('?')) return null;
  return t;
}

/** A question rather than an answer or a request. */
export function looksLikeQuestion(text: string): boolean {
  return /\?\s*$/.test(text) || /^(what|why|how|when|where|which|who|is|are|do|does|can|could|will|would|should)\b/i.test(text.trim());
}

/** A fallback redactor (used until the platform's is wired): e-mails and runs of 4+ digits. */
export const basicRedactor: Redactor = {
  redact(text: string): string {
    return text
      .replace(/[\w.+-]+@[\w-]+(\.[\w-]+)+/g, '[EMAIL]')
      // Runs of 4+ digits (spaces or dashes between them allowed), then ids mixing letters and digits.
      .replace(/\d(?:[\s-]?\d){3,}/g, '[NUMBER]')
      .replace(/\b[A-Za-z0-9]*\d[A-Za-z0-9]*\b/g, (m) => (m.length >= 6 && /[A-Za-z]/.test(m) ? '[NUMBER]' : m));
  },
};

/** Digits and letters of an id said or keyed with spaces/dashes ("b p v 2 k…"). */
export function compactId(text: string): string {
  return text.replace(/[^A-Za-z0-9]/g, '').toUpperCase();
}
