import { detect, emailSpans, PII_TYPES, type PiiExpectation, type PiiType, type RawFinding } from './detectors.ts';
import { parseSpokenNumbers } from './spoken.ts';

export interface PiiFinding {
  type: PiiType;
  /** Offsets in the input text. The matched value itself is never returned. */
  start: number;
  end: number;
}

export interface RedactResult {
  text: string;
  findings: PiiFinding[];
}

export interface RedactOptions {
  /** The slot being collected: bare values are read as that kind ("9776252661" after "what is your phone number?"). */
  expecting?: PiiExpectation;
  /** Card capture in progress (PciGuard paused): every digit run is replaced. */
  pci?: boolean;
  /** Also redact ZIP codes named as such outside an address ("my zip is 75227"). Default false. */
  zip?: boolean;
  /** Types to look for (default: all). */
  types?: readonly PiiType[];
  /** The replacement for a finding (default `[TYPE]`). */
  placeholder?: (type: PiiType) => string;
}

/** When two findings overlap, the span is their union and the type the one ranked higher here. */
const RANK: Record<PiiType, number> = {
  REDACTED: 12, CARD: 11, SSN: 10, PASSWORD: 9, PIN: 8, CVV: 7, EXPIRY: 6, EMAIL: 5, PHONE: 5, DOB: 4, ADDRESS: 3, ZIP: 2,
};

const ALL: ReadonlySet<PiiType> = new Set(PII_TYPES);

/** Placeholder strings: `[CARD]`, `[CVV]`, … */
export function piiPlaceholder(type: PiiType): string {
  return `[${type}]`;
}

function toText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return '';
  try {
    return String(value);
  } catch {
    return '';
  }
}

function merge(findings: PiiFinding[]): PiiFinding[] {
  const sorted = findings.slice().sort((a, b) => a.start - b.start || b.end - a.end);
  const out: PiiFinding[] = [];
  for (const f of sorted) {
    const last = out[out.length - 1];
    if (last && f.start < last.end) {
      if (f.end > last.end) last.end = f.end;
      if (RANK[f.type] > RANK[last.type]) last.type = f.type;
      continue;
    }
    out.push({ ...f });
  }
  return out;
}

/**
 * Replace personal and payment data in `text` with typed placeholders: card numbers (13–19 digits,
 * Luhn-checked, typed or spoken), CVV and expiry near a card or security-code cue, SSNs, emails
 * (typed or spoken), phone numbers, street addresses (with city/state/ZIP when they follow), dates
 * of birth, PINs and passwords read out after a cue. See docs/nlu-slots-sentiment.md for what is
 * kept on purpose (amounts, order and account ids, dates, times, card last four).
 *
 * Deterministic, linear in the input, never throws: on an internal error the whole text is
 * replaced (fail closed).
 */
export function redact(input: unknown, opts: RedactOptions = {}): RedactResult {
  const text = toText(input);
  if (text.length === 0) return { text, findings: [] };
  // Fast path: nothing that any detector could start from (no digit, no "@", no number word or cue).
  if (!/[0-9@]/.test(text) && !/[a-z]{2}/i.test(text)) return { text, findings: [] };
  const placeholder = opts.placeholder ?? piiPlaceholder;
  try {
    const parsed = parseSpokenNumbers(text, { homophones: true });
    const enabled = opts.types ? new Set(opts.types) : ALL;
    const raw: RawFinding[] = detect(parsed.text, { zip: opts.zip ?? false, pci: opts.pci ?? false, expecting: opts.expecting, enabled });
    const ids = uuidSpans(text);
    const findings = merge(
      raw
        .map((f) => {
          const [start, end] = parsed.toOriginal(f.start, f.end);
          return { type: f.type, start, end };
        })
        // Digit runs inside a UUID (a system id, not personal data) can pass a Luhn check by chance.
        .filter((f) => !ids.some(([s, e]) => f.start < e && f.end > s)),
    );
    if (findings.length === 0) return { text, findings };
    let out = '';
    let at = 0;
    for (const f of findings) {
      out += text.slice(at, f.start) + placeholder(f.type);
      at = f.end;
    }
    out += text.slice(at);
    return { text: out, findings };
  } catch {
    return { text: placeholder('REDACTED'), findings: [{ type: 'REDACTED', start: 0, end: text.length }] };
  }
}

const UUID = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi;

function uuidSpans(text: string): [number, number][] {
  return [...text.matchAll(UUID)].map((m) => [m.index, m.index + m[0].length]);
}

/** Just the redacted text. */
export function redactText(input: unknown, opts: RedactOptions = {}): string {
  return redact(input, opts).text;
}

/** Emails in `text`, typed or spoken, with offsets in `text` and the address written normally. */
export function findEmails(text: string): { start: number; end: number; address: string }[] {
  try {
    const parsed = parseSpokenNumbers(toText(text));
    return emailSpans(parsed.text).map((e) => {
      const [start, end] = parsed.toOriginal(e.start, e.end);
      return { start, end, address: e.address };
    });
  } catch {
    return [];
  }
}
